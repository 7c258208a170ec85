// argv -> the skiff command (cli::Main) with the composition root's verbs (up, server, worker).
#include "app/app.h"
#include "cli/cli.h"

int main(int argc, char** argv) { return skiff::cli::Main(argc, argv, skiff::app::RegisterCommands); }
