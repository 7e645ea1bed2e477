-- A goals file with a misspelt state: an error at the goal's own line (5), before any
-- scenario is graded (test_lsim_api.c, test_cli_grading.c).
goals {
  { name = "handshake", edge = { "SYN_SENT", "ESTABLISHED" } },
  { name = "time-wait", state = "TIME_WAT" },
}
