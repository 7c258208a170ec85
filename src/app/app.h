// The composition root: turns flags into concrete parts (store backend, executors, coordinator,
// HTTP server, workers) and runs them. The only place that names implementations.
#pragma once

namespace CLI {
class App;
}  // namespace CLI

namespace skiff::app {

// Adds `up`, `server` and `worker` to the skiff command.
void RegisterCommands(CLI::App& app);

}  // namespace skiff::app
