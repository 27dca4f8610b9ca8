#!/bin/bash
# basic.sh with `offload on` in the config, and bigger transfers (issue 5:
# the integration checks pass with segmentation offload forced on).
T_NAME=basic-offload-on TAYGA_OFFLOAD=on XFER_MB=${XFER_MB:-32} exec bash "$(dirname "$0")/basic.sh" "$@"
