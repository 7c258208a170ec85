skiff_test(cli_test unit "skiff_cli"
  src/cli/api_client_test.cpp
  src/cli/cli_test.cpp
  src/cli/config_test.cpp
  src/cli/format_test.cpp
  src/cli/identity_commands_test.cpp
  src/cli/job_format_test.cpp
  src/cli/yaml_json_test.cpp
)
