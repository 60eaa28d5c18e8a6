// Dates and times as the open web writes them, to UTC: declared in the public
// ecoute/datetime.h, with the since/until bounds of the front ends.
#pragma once

#include "ecoute/datetime.h"
