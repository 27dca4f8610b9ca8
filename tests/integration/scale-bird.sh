#!/bin/bash
# scale-ecmp.sh across hosts (issue 17): two translator hosts, each with one
# daemon and a BIRD announcing the NAT64 prefix and its pool slice over BGP to
# an upstream router that spreads the traffic with a multipath route.
T_NAME=scale-bird SCALE_MODE=bird exec bash "$(dirname "$0")/scale-ecmp.sh" "$@"
