-- An mpv script that says what mpv gets, for tests: mpv --script=tests/clients/mpv_probe.lua
--
-- One line per event on stdout, flushed:
--
--   size W H | motion X Y | press X Y | key NAME | line TEXT |
--   state maximized=0|1 fullscreen=0|1 | closed
--
-- size: mpv's window size in pixels (osd-width/osd-height) when it changes. motion: mpv
-- handled a pointer motion, now at X Y. press: a left button press. Both at
-- mp.get_mouse_pos() (window coordinates, as mpv has them). Letters, digits
-- and space are bound (forced, so mpv's own bindings such as f and q do nothing): each prints
-- key NAME, and Return prints line TEXT, the keys since the last line. state: mpv's
-- window-maximized and fullscreen properties, once both are known and at each change.
-- closed: mpv is shutting down (the compositor closed its window, say).
--
-- mpv drops input beyond --input-key-fifo-size (7 by default) when it comes faster than it
-- runs commands: typing a whole line at once needs a bigger one.

local function say(text)
    io.stdout:write(text, "\n")
    io.stdout:flush()
end

local width, height = 0, 0
local function on_size()
    local w = mp.get_property_number("osd-width", 0)
    local h = mp.get_property_number("osd-height", 0)
    if w > 0 and h > 0 and (w ~= width or h ~= height) then
        width, height = w, h
        say(string.format("size %d %d", w, h))
    end
end
mp.observe_property("osd-width", "number", on_size)
mp.observe_property("osd-height", "number", on_size)

local state = { maximized = nil, fullscreen = nil }
local last_state = nil
local function on_state(name, value)
    state[name == "window-maximized" and "maximized" or "fullscreen"] = value and 1 or 0
    if state.maximized ~= nil and state.fullscreen ~= nil then
        local line =
            string.format("state maximized=%d fullscreen=%d", state.maximized, state.fullscreen)
        if line ~= last_state then
            last_state = line
            say(line)
        end
    end
end
mp.observe_property("window-maximized", "bool", on_state)
mp.observe_property("fullscreen", "bool", on_state)

mp.add_forced_key_binding("MOUSE_MOVE", "probe-motion", function()
    local x, y = mp.get_mouse_pos()
    say(string.format("motion %d %d", x, y))
end)

mp.add_forced_key_binding("MBTN_LEFT", "probe-press", function(event)
    if event.event == "down" then
        local x, y = mp.get_mouse_pos()
        say(string.format("press %d %d", x, y))
    end
end, { complex = true })

local typed = ""
local keys = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
for i = 1, #keys do
    local key = keys:sub(i, i)
    mp.add_forced_key_binding(key, "probe-key-" .. key, function()
        typed = typed .. key
        say("key " .. key)
    end)
end
mp.add_forced_key_binding("SPACE", "probe-key-space", function()
    typed = typed .. " "
    say("key SPACE")
end)
mp.add_forced_key_binding("ENTER", "probe-key-enter", function()
    say("line " .. typed)
    typed = ""
end)

mp.register_event("shutdown", function()
    say("closed")
end)
