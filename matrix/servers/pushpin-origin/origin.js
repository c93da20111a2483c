// A GRIP origin behind pushpin, as pushpin's docs show it: GET /events answers with
// `Grip-Hold: stream` + `Grip-Channel` (pushpin holds the stream open), and a publish goes to
// pushpin's HTTP control API (POST /publish/) as an `http-stream` item whose content is the SSE
// event text, written the way the docs' example writes it ("event: message\ndata: hello world\n\n").
// Not hardened on purpose. No dependencies: node's http only.
// Usage: node origin.js PORT CONTROL_PORT
const http = require('http');

const port = Number(process.argv[2] || 8000);
const controlPort = Number(process.argv[3] || 5561);
const channel = 'events';

function publish(body, res) {
  const { data, event, id } = JSON.parse(body);
  let content = '';
  if (event) content += `event: ${event}\n`;
  if (id) content += `id: ${id}\n`;
  content += `data: ${data}\n\n`;
  const item = JSON.stringify({ items: [{ channel, formats: { 'http-stream': { content } } }] });
  const req = http.request({ host: '127.0.0.1', port: controlPort, path: '/publish/', method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(item) } }, (r) => {
    r.resume();
    r.on('end', () => { res.writeHead(r.statusCode === 200 ? 202 : 502); res.end(); });
  });
  req.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
  req.end(item);
}

http.createServer((req, res) => {
  if (req.method === 'GET' && req.url.split('?')[0] === '/events') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Grip-Hold': 'stream', 'Grip-Channel': channel });
    res.end();
  } else if (req.method === 'POST' && req.url === '/publish') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      try { publish(body, res); } catch (e) { res.writeHead(400); res.end(String(e)); }
    });
  } else {
    res.writeHead(404);
    res.end();
  }
}).listen(port, '127.0.0.1', () => console.log(`grip origin listening on ${port}`));
