# Shared by the benchmark scripts that run nginx + nchan beside ssekit (sourced, not run).
#
# nchan_ensure LOG             installs nginx and libnginx-mod-nchan with apt if missing (root only)
# nchan_conf DIR PORT BUFFER   writes DIR/nginx.conf: one worker, 20,000 connections, an
#                              EventSource subscriber at /events?topic=T (15 s pings, the newest
#                              message first) and a raw-body publisher at /publish?topic=T keeping
#                              BUFFER messages per channel for an hour
# nchan_worker MASTER          prints the pid of the nginx worker under MASTER (waits up to 5 s)

nchan_ensure() {
  local log=$1
  if command -v nginx >/dev/null && [[ -f /usr/lib/nginx/modules/ngx_nchan_module.so ]]; then
    return 0
  fi
  if [[ $(id -u) != 0 ]]; then
    echo "nginx + libnginx-mod-nchan are missing and installing needs root (apt-get install nginx libnginx-mod-nchan)" >&2
    return 1
  fi
  (DEBIAN_FRONTEND=noninteractive apt-get install -y nginx libnginx-mod-nchan >"$log" 2>&1 \
    || { apt-get update >>"$log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y nginx libnginx-mod-nchan >>"$log" 2>&1; }) \
    || { tail -20 "$log" >&2; echo "cannot install nginx + nchan (see $log)" >&2; return 1; }
}

nchan_conf() {
  local dir=$1 port=$2 buffer=$3
  mkdir -p "$dir/logs" "$dir/tmp"
  cat >"$dir/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile 20000;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 20000; use epoll; multi_accept on; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    listen 127.0.0.1:$port backlog=4096;
    location = /healthz { return 200 "ok\n"; }
    # Subscribers: EventSource (nchan wants Accept: text/event-stream), 15 s pings like ssekit's.
    location = /events {
      nchan_subscriber eventsource;
      nchan_channel_id \$arg_topic;
      nchan_subscriber_first_message newest;
      nchan_eventsource_ping_interval 15;
    }
    # Publisher: the raw body is the message; X-EventSource-Event names the event.
    location = /publish {
      nchan_publisher;
      nchan_channel_id \$arg_topic;
      nchan_message_buffer_length $buffer;
      nchan_message_timeout 1h;
    }
  }
}
CONF
}

nchan_worker() {
  local master=$1 worker="" _
  for _ in $(seq 50); do
    worker=$(pgrep -P "$master" | head -1 || true)
    [[ -n "$worker" ]] && break
    sleep 0.1
  done
  [[ -n "$worker" ]] && echo "$worker"
}
