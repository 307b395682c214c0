#!/bin/bash
# redis_and_nginx_test.sh REDIS_CLI: talks to the redis-server and nginx that
# ipckit_server_test started (REDIS_PORT, WEB_PORT), with a plain bash
# /dev/tcp request for nginx so no client needs to be on PATH.
set -euo pipefail
cli=$1
[[ $("$cli" -p "$REDIS_PORT" set greeting hi) == OK ]]
[[ $("$cli" -p "$REDIS_PORT" get greeting) == hi ]]
exec 3<>"/dev/tcp/127.0.0.1/$WEB_PORT"
printf 'GET / HTTP/1.0\r\n\r\n' >&3
reply=$(cat <&3)
[[ $reply == *"200 OK"* && $reply == *"hello from nginx"* ]] || { echo "nginx said: $reply" >&2; exit 1; }
echo "redis and nginx answered"
