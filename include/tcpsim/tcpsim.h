/* tcpsim.h - everything a program embedding the simulator needs. */
#ifndef TCPSIM_TCPSIM_H
#define TCPSIM_TCPSIM_H
#include "tcpsim/clk.h"
#include "tcpsim/rng.h"
#include "tcpsim/seg.h"
#include "tcpsim/tcp.h"
#include "tcpsim/tcp_rules.h"
#include "tcpsim/trace.h"
#include "tcpsim/wire.h"
#include "tcpsim/world.h"
#define TCPSIM_VERSION "0.1.0"
#endif
