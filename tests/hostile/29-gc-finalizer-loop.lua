-- hostile: a finalizer that loops forever when the collector runs it
for _ = 1, 100 do
  setmetatable({}, { __gc = function() while true do end end })
end
collectgarbage()
collectgarbage("collect")
local t = {}
for i = 1, 1e6 do t[i] = {} end
error("the finalizers never ran")
