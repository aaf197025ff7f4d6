-- TIX.id login in Splash (TIX_RENDERER = "splash"), run by Splash's /execute endpoint.
-- The same steps as the Playwright login (cineradar/tix_auth.py, docs/sources/tix.md#login-flow):
-- open /login, wait for the two fields, type the phone number and the password, click the LAST
-- "Login" button (the first is the header's decoy), wait for /home, read the two tokens from
-- localStorage. Every way out is a table {ok = true/false, ...}: field missing, the page's error
-- text (wrong password) and a timeout come back as a result, never as a hang.
--
-- args: url (the /login page), phone, password (POST body only; the Splash server is started with
-- --dont-log-args phone,password), wait (seconds for each step), fetch_polyfill (JS source).
local PHONE = 'input[placeholder="Type your phone number"]'
local PASSWORD = 'input[placeholder="Type Password"]'
local STEP = 0.1

-- Poll ``check`` every STEP seconds until it returns a value or ``limit`` seconds pass.
local function poll(splash, limit, check)
  local waited = 0
  while waited < limit do
    local value = check()
    if value then return value end
    splash:wait(STEP)
    waited = waited + STEP
  end
  return check()
end

local function page_error(splash)
  -- The page's own alert text (the wrong password's message), never a field's value.
  local text = splash:evaljs([[(function () {
    var nodes = document.querySelectorAll('[role=alert], .error'), out = [];
    for (var i = 0; i < nodes.length; i++) {
      var t = (nodes[i].textContent || '').trim();
      if (t) out.push(t);
    }
    return out.join(' | ').slice(0, 200);
  })()]])
  if text and text ~= '' then return text end
  return nil
end

local function path(splash)
  return splash:evaljs('location.pathname + location.search') or ''
end

function main(splash, args)
  splash.private_mode_enabled = false  -- localStorage is null in Splash's default private mode
  splash.images_enabled = false
  local limit = tonumber(args.wait) or 30
  if args.fetch_polyfill then splash:autoload(args.fetch_polyfill) end

  local ok, reason = splash:go(args.url)
  if not ok then
    return {ok = false, error = 'load_failed', message = tostring(reason), path = path(splash)}
  end

  local phone = poll(splash, limit, function () return splash:select(PHONE) end)
  local password = splash:select(PASSWORD)
  if not phone or not password then
    return {ok = false, error = 'field_missing', path = path(splash),
            message = 'no ' .. (phone and 'password' or 'phone number') .. ' field within ' .. limit .. ' s'}
  end
  assert(phone:mouse_click())
  splash:wait(STEP)
  assert(phone:send_text(args.phone))
  assert(password:mouse_click())
  splash:wait(STEP)
  assert(password:send_text(args.password))

  -- (Splash's Lua sandbox has no string.match: the text test runs in the page.)
  local index = splash:evaljs([[(function () {
    var buttons = document.querySelectorAll('button'), last = -1;
    for (var i = 0; i < buttons.length; i++) {
      if ((buttons[i].textContent || '').trim() === 'Login') last = i;
    }
    return last;
  })()]])
  local last = nil
  if index and index >= 0 then last = splash:select_all('button')[index + 1] end
  if last then
    assert(last:mouse_click())
  else
    splash:send_keys('<Return>')
  end

  local outcome = poll(splash, limit, function ()
    local where = path(splash)
    if string.find(where, '/home', 1, true) == 1 or string.find(where, 'login-success', 1, true) then
      return 'home'
    end
    local shown = page_error(splash)
    if shown then return shown end
    return nil
  end)
  if outcome == nil then
    return {ok = false, error = 'timeout', path = path(splash), message = 'login did not reach /home within ' .. limit .. ' s'}
  elseif outcome ~= 'home' then
    return {ok = false, error = 'rejected', path = path(splash), message = outcome}
  end

  local stored = poll(splash, limit, function ()
    local values = splash:evaljs([[({
      token: localStorage.getItem('authentication_token'),
      refresh: localStorage.getItem('authentication_refresh_token')
    })]])
    if values and values.token then return values end
    return nil
  end)
  if not stored then
    return {ok = false, error = 'no_token', path = path(splash), message = 'logged in, but no authentication_token in localStorage'}
  end
  return {ok = true, path = path(splash), authentication_token = stored.token,
          authentication_refresh_token = stored.refresh}
end
