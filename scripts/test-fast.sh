#!/usr/bin/env bash
# The fast tier (`npm run test:fast`): the jest project `fast` only, the pure rules, the mapping table and
# the adapters against nock (the rule is in jest.config.js). No Redis, no database, no type-check: `npm test`
# type-checks and runs everything. Extra arguments go to jest.
source "$(dirname "$0")/lib.sh"
ensure_node_modules
# --selectProjects last: it takes every word after it as a project name, so file filters must come before.
exec node_modules/.bin/jest "$@" --selectProjects fast
