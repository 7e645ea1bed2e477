-- hostile: pcall around the loop, and around that a loop of pcalls, to swallow the limit error
while true do
  pcall(function()
    while true do end
  end)
end
