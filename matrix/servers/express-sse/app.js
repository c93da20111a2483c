// express-sse as its README shows it (`app.get('/stream', sse.init)`, `sse.send(data, event, id)`),
// plus ssekit's publish contract: POST /publish {"data", "event"?, "id"?} -> 202.
// Not hardened on purpose: the matrix judges what users write. Usage: node app.js PORT
const express = require('express');
const SSE = require('express-sse');

const port = Number(process.argv[2] || 3000);
const sse = new SSE();
const app = express();
app.use(express.json());

app.get('/events', sse.init);

app.post('/publish', (req, res) => {
  const { data, event, id } = req.body;
  sse.send(data, event, id);
  res.status(202).end();
});

app.listen(port, '127.0.0.1', () => console.log(`express-sse listening on ${port}`));
