-- goals.lua: an instructor's goals for goals_student.lua (three reached, three not)
goals {
  { name = "handshake", edge = { "SYN_SENT", "ESTABLISHED" } },
  { name = "half-closed", state = "CLOSE_WAIT", host = "B" },
  { name = "time-wait", state = "TIME_WAIT" },
  { name = "three segments or more", check = function(trace)
      local n = 0
      for _, e in ipairs(trace) do if e.kind == "send" then n = n + 1 end end
      return n >= 3
    end },
  { name = "a challenge ACK", rule = "RST_CHALLENGE" },
  { name = "a broken goal", check = function() error("oops") end },
}
