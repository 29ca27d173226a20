#!/usr/bin/env bash
# Start the local RabbitMQ if it is installed but not answering, and enable its management
# API (the tests create a virtual host per test through it).
set -euo pipefail
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if ! port_open 5672; then
  if command -v rabbitmq-server >/dev/null; then
    echo "starting RabbitMQ"
    rabbitmq-server -detached
  else
    echo "RabbitMQ is not running on 127.0.0.1:5672 and is not installed; set AMQP_URI" >&2
    exit 1
  fi
fi
for _ in $(seq 1 60); do port_open 5672 && break; sleep 1; done
if command -v rabbitmq-plugins >/dev/null && ! port_open 15672; then
  rabbitmq-plugins enable --quiet rabbitmq_management >/dev/null
fi
for _ in $(seq 1 60); do port_open 15672 && exit 0; sleep 1; done
echo "RabbitMQ's management API did not come up on 127.0.0.1:15672" >&2
exit 1
