#!/bin/sh
# Sample update program: a real one would flash the BMC here.
echo "updating $EXUP_MODULE from ${EXUP_CURRENT_VERSION:-none} to $EXUP_TARGET_VERSION"
exit 0
