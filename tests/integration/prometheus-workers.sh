#!/bin/bash
# prometheus-workers.sh - prometheus.sh with `workers 2`: the stats-file
# worker 0 writes holds the sum, and the pool alerts see the fullest slice
# (a spray from one client network fills one worker's slice of the pool
# while the whole pool's ratio stays near one half).
PROM_EXTRA="workers 2" T_NAME=prometheus-workers exec bash "$(dirname "$0")/prometheus.sh" "$@"
