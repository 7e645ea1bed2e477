scenario { title = "C10K: ten thousand clients, one server",
  summary = "a server's open-file limit (ulimit -n) and its listen backlog decide who gets in" }

sim:config { preset = "linux" }
say("Ten thousand clients (all on host A) connect to one server (B:80) within a second: ten every")
say("millisecond. The server's event loop accepts whatever is ready, every millisecond. It runs")
say("with a login shell's default limit of open files, ulimit -n 1024 (B.sysctl.nofile), and")
say("listen(fd, 511), nginx's default backlog.")
B.sysctl.nofile = 1024
local l = B:listen(80, { backlog = 511 })
local clients, served = {}, {}
local refused

local function serve() -- the event loop's turn: accept everything that is ready
  while true do
    local s, e = l:accept()
    if not s then
      refused = refused or e
      return
    end
    served[#served + 1] = s
  end
end

for _ = 1, 1000 do
  for _ = 1, 10 do clients[#clients + 1] = A:connect(B, 80) end
  sim:run(0.001)
  serve()
end
sim:run(0.01)
serve()
local a, b = A:ss(), B:ss()
say(string.format("After 1 s: %d accepted, then accept() failed with %s. B holds %d sockets open.",
  #served, tostring(refused), b.files))
say(string.format("B: ESTABLISHED %d (%d of them waiting in the accept queue, which holds backlog + 1 = 512);",
  b.ESTABLISHED, b.ESTABLISHED - #served))
say(string.format("A: ESTABLISHED %d, SYN_SENT %d. B: SYN_RCVD %d, whose last ACK came when the accept queue",
  a.ESTABLISHED, a.SYN_SENT, b.SYN_RCVD))
say("was full (B dropped it, and will resend its SYN,ACK); the later clients' SYNs found it full and")
say("were dropped without an answer (Linux counts ListenOverflows): they will send them again.")
expect(#served == 1023 and refused == "EMFILE", "1023 accepted: the listener is the 1024th open file")
expect(b.ESTABLISHED == 1023 + 512, "512 more wait in the accept queue")
expect(a.SYN_SENT > 8000, "most clients are still waiting for an answer")

say("The administrator raises the limit (ulimit -n 65536, as servers do, or LimitNOFILE= in the")
say("service's unit): the loop drains the queue, and the clients' retransmitted SYNs get in.")
B.sysctl.nofile = 65536
local t0 = sim.now
while #served < #clients and sim.now - t0 < 10 do
  serve()
  sim:run(0.001)
end
serve()
a, b = A:ss(), B:ss()
say(string.format("%.3f s later: %d served; A ESTABLISHED %d; B holds %d open sockets.", sim.now - t0, #served,
  a.ESTABLISHED, b.files))
expect(#served == 10000 and a.ESTABLISHED == 10000, "all ten thousand are served")
say("Each SYN a full accept queue dropped cost its client a second (the SYN retransmission");
say("timeout). Two limits to raise for C10K: the open files, and the backlog (with somaxconn,")
say("4096 on Linux 5.4 and later, capping it); and an event loop that accepts fast enough.")
