-- hostile: an error handler that itself loops forever
xpcall(function() error("first") end, function()
  while true do end
end)
error("xpcall returned")
