// The replica's app.tix.id: a tiny single-page app behaving like the Flutter web build
// where the scraper touches it (docs/sources/tix.md#web-app-pages, #login-flow). Nothing is in the HTML; everything is
// drawn after cfg.renderDelayMs, and every page load first fetches a guest token (E1).
(function () {
  "use strict";
  var cfg = window.tixConfig;
  var root = document.getElementById("app");

  // Values are stored JSON-encoded, quotes included, as the real app does (docs/sources/tix.md#login-flow).
  function store(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
  function load(key) {
    try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; }
  }

  function headers(token) {
    // The app's own headers, as captured on the real site (docs/sources/tix.md#app-headers).
    var h = {
      "content-type": "application/json", "platform": "web", "lang": "en", "app_version": "1.0.0",
      "session_id": "null", "device_id": "null", "access-control-allow-origin": "*"
    };
    if (token) h["authorization"] = "Bearer " + token;
    return h;
  }

  function call(method, path, body, token) {
    return fetch(cfg.apiBase + path, {
      method: method, headers: headers(token), body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return {status: r.status, body: j}; });
    });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function selectedCity() { return load("selected_city") || cfg.defaultCity; }

  function slug(title) {
    return title.toLowerCase().replace(/[^a-z0-9\s-]/g, "").replace(/\s/g, "-");
  }

  // The header has its own "Login" button that does not log in (docs/sources/tix.md#login-flow, step 4).
  function header() {
    var bar = el("header");
    bar.appendChild(el("span", {}, "TIX ID"));
    var login = el("button", {type: "button"}, "Login");
    login.addEventListener("click", function () {
      window.location.href = window.location.pathname === "/login" ? "/home" : "/login";
    });
    bar.appendChild(login);
    return bar;
  }

  function renderHome(main) {
    var city = selectedCity();
    main.appendChild(el("h1", {}, "Now showing in " + city.name));
    var link = el("a", {href: "/cities"}, "Choose city");
    main.appendChild(link);
  }

  function renderCities(main, guest) {
    main.appendChild(el("h1", {}, "Choose your city"));
    var input = el("input", {type: "text", placeholder: "Search city"});
    var list = el("div", {id: "cities"});
    var movies = el("div", {id: "movies"});
    main.appendChild(input);
    main.appendChild(list);
    main.appendChild(movies);
    var pending = null;

    function showMovies(city, answer) {
      movies.textContent = "";
      movies.appendChild(el("h2", {}, "Now showing in " + city.name));
      ((answer.body && answer.body.data) || []).forEach(function (m) {
        var item = el("div", {"class": "movie"});
        item.appendChild(el("a", {href: "/movies/" + slug(m.title) + "-" + m.movie_id + "/" + cfg.today}, m.title));
        movies.appendChild(item);
      });
    }

    function choose(city) {
      store("selected_city", city);
      call("GET", "/v1/movies?city_id=" + city.id + "&movie_type=NOW_PLAYING&timezone=7", null, guest)
        .then(function (answer) { showMovies(city, answer); });
    }

    function search() {
      call("GET", "/v1/cities?name=" + encodeURIComponent(input.value.trim()), null, guest).then(function (answer) {
        list.textContent = "";
        ((answer.body && answer.body.data) || []).forEach(function (city) {
          var item = el("div", {"class": "city", role: "option"}, city.name);
          item.addEventListener("click", function () { choose({id: city.id, name: city.name}); });
          list.appendChild(item);
        });
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(pending);
      pending = setTimeout(search, 150);
    });
    search();
  }

  function renderMovie(main, guest, movieId, date) {
    var city = selectedCity();
    main.appendChild(el("h1", {}, "Schedule in " + city.name + " on " + date));
    var list = el("div", {id: "theaters"});
    main.appendChild(list);
    var path = "/v1/schedules/movies/" + movieId + "?city_id=" + city.id + "&date=" + date;
    call("GET", path, null, guest).then(function (answer) {
      var data = (answer.body && answer.body.data) || {theaters: []};
      data.theaters.forEach(function (t) {
        var item = el("div", {"class": "theater"});
        item.appendChild(el("h3", {}, t.name));
        item.appendChild(el("p", {}, t.address));
        t.price_groups.forEach(function (g) {
          var times = g.show_time.map(function (s) { return s.display_time; }).join("  ");
          item.appendChild(el("p", {}, g.category + " " + g.price_string + ": " + times));
        });
        list.appendChild(item);
      });
    });
  }

  function renderLogin(main) {
    var form = el("form", {id: "login-form"});
    form.appendChild(el("h1", {}, "Welcome back"));
    var phone = el("input", {type: "tel", placeholder: "Type your phone number", autocomplete: "tel"});
    var password = el("input", {type: "password", placeholder: "Type Password", autocomplete: "current-password"});
    var error = el("p", {"class": "error", role: "alert"});
    var submit = el("button", {type: "submit"}, "Login");
    [phone, password, error, submit].forEach(function (node) { form.appendChild(node); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      error.textContent = "";
      // DESIGNED: the real login call is unknown (docs/sources/tix.md#e7-login-api).
      call("POST", "/v1/users/login", {phone_number: phone.value, password: password.value}).then(function (answer) {
        var data = answer.body && answer.body.success && answer.body.data;
        if (!data) {
          error.textContent = (answer.body && answer.body.error && answer.body.error.message) || "Login failed";
          return;
        }
        store("authentication_token", data.token);
        store("authentication_refresh_token", data.refresh_token);
        window.location.href = "/home";
      }, function () { error.textContent = "Network error"; });
    });
    main.appendChild(form);
  }

  function render(guest) {
    var main = el("main");
    root.appendChild(header());
    root.appendChild(main);
    var path = window.location.pathname;
    var movie = /^\/movies\/.*-(\d+)\/(\d{4}-\d{2}-\d{2})$/.exec(path);
    if (path === "/login") renderLogin(main);
    else if (path === "/cities") renderCities(main, guest);
    else if (movie) renderMovie(main, guest, movie[1], movie[2]);
    else renderHome(main);
  }

  setTimeout(function () {
    call("POST", "/v1/auth", {client_id: "tixid_guest"}).then(function (answer) {
      render(answer.body && answer.body.data && answer.body.data.token);
    }, function () { render(null); });
  }, cfg.renderDelayMs);
})();
