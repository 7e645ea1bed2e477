-- hostile: the clock asked to go backwards, to NaN, then to infinity
pcall(sim.run, sim, -1)
pcall(sim.run, sim, 0 / 0)
pcall(sim.run, sim, -math.huge)
sim:run(math.huge)
error("sim:run(math.huge) returned")
