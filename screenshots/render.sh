#!/bin/sh
# Renders every console screen to screenshots/<screen>.svg and .png from the golden frames the
# console's tests check (ui/app/testdata/TestGolden). Run from the repository root:
#   go test ./ui/app -run TestGolden -update   # only when the console's look changed
#   screenshots/render.sh
set -eu
cd "$(dirname "$0")/.."
go run ./ui/internal/shots -in ui/app/testdata/TestGolden -out screenshots "$@"
