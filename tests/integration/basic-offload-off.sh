#!/bin/bash
# basic.sh with `offload off` and `io-uring off` in the config, and bigger
# transfers (issue 5: the integration checks pass with segmentation offload
# disabled, one read(2) per packet).
T_NAME=basic-offload-off TAYGA_OFFLOAD=off TAYGA_IO_URING=off XFER_MB=${XFER_MB:-32} exec bash "$(dirname "$0")/basic.sh" "$@"
