// The sections of report.md, each rendered from the aggregated results by
// its own file: scenario tables (scenario_tables.cpp), the two sweeps
// (sweeps.cpp) and the goals (goals.cpp). report.cpp puts them in order.
#pragma once

#include "results.hpp"

#include <ostream>

namespace bench {

// scenario_tables.cpp
void write_scenario_table(std::ostream& out, const results& r, std::size_t s);
void print_scenario_table(std::ostream& out, const results& r, std::size_t s);  // terminal
void write_drop_check(std::ostream& out, const results& r);

// sweeps.cpp
void write_client_sweep(std::ostream& out, const results& r);
void write_idle_sweep(std::ostream& out, const results& r);

// goals.cpp
void write_goals(std::ostream& out, const results& r);

// Σ over a measurement's windows of the connections the kernel dropped
// and the client retried (scenario_tables.cpp), for the goals' reasons.
std::uint64_t retried_connections(const measurement& m);

}  // namespace bench
