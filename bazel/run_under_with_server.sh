#!/bin/bash
# run_under_with_server.sh: the test script ipckit_server_test generates
# around a test: its arguments are with_server's command line, runfiles
# paths relative to this test's runfiles directory (the working directory).
exec "$@"
