-- hostile: a coroutine's loop, hoping the instruction limit only watches the main thread
local co = coroutine.create(function()
  while true do end
end)
coroutine.resume(co)
error("the coroutine's loop ended")
