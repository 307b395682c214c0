#!/bin/bash
# stubborn.sh: a daemon that ignores SIGTERM, so only SIGKILL ends it.
trap '' TERM
echo "stubborn: ready"
exec tail -f /dev/null
