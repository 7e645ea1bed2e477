-- hostile: require reaching outside the scenario's folder, then a module that requires itself
for _, name in ipairs { "../12-require", "/etc/passwd", "..", ".", "a/b", "x..y", "" } do
  local ok, err = pcall(require, name)
  assert(not ok and err:find("is not a module name"), name)
end
require("37-require-escape") -- this file as a module, requiring itself: a loop, not a recursion
