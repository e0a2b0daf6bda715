#ifndef EXUP_CIPMIMONITORING_SHIM_H
#define EXUP_CIPMIMONITORING_SHIM_H
#include <ipmi_monitoring.h>
#endif
