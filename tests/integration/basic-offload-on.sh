#!/bin/bash
# basic.sh with `offload on` and `io-uring on` in the config, and bigger
# transfers (issue 5: the integration checks pass with segmentation offload
# and batched io_uring reads forced on).
T_NAME=basic-offload-on TAYGA_OFFLOAD=on TAYGA_IO_URING=on XFER_MB=${XFER_MB:-32} exec bash "$(dirname "$0")/basic.sh" "$@"
