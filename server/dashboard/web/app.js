// Knob's dashboard: a read-only single-page view of the studies that
// knob-server stores. Routes live in the URL hash (#/ the studies list,
// #/studies/NAME a study, #/studies/NAME/trials/NUMBER one trial). Data
// comes from the server's JSON API, polled every 2 s, or, in a
// self-contained report written by `knobctl report --html`, from
// window.KNOB_REPORT with no network at all.
//
// What the browser test relies on: every chart container carries
// data-rendered="N" (N points drawn) once drawn, #trial-table and
// #study-table carry the number of rows shown, and <body> gets
// data-ready="true" once the first full render of the current page is done.
'use strict';

(() => {
  const POLL_MS = 2000;
  const PAGE_SIZE = 50;
  // fANOVA is the most expensive request: while trials stream in, ask for
  // it again at most this often.
  const IMPORTANCE_REFRESH_MS = 10000;
  const TRIAL_STATES = ['waiting', 'running', 'completed', 'pruned', 'failed', 'stale'];
  const PLOT_CONFIG = {
    displaylogo: false,
    responsive: true,
    modeBarButtonsToRemove: ['lasso2d', 'select2d'],
  };
  // Beyond these many trials a chart shows the best fifth of them and an
  // even spread of the rest (thinIndices). Plotly's time to draw grows with
  // the markers, and where WebGL is rendered in software a WebGL chart
  // costs a quarter of a second before its first marker: so the charts the
  // page waits for draw SVG markers, few enough to be quick.
  // The markers of the slices and the contour, out of the trials the
  // server sends (at most 5,000 by default); the contour's cells average
  // all of those.
  const PARAM_CHART_MAX_MARKERS = 1000;
  // The optimization history's markers; its best-so-far line follows
  // every trial.
  const HISTORY_MAX_MARKERS = 2000;
  // Parallel coordinates draw every line in WebGL.
  const PARCOORDS_MAX_LINES = 1000;
  // How long parallel coordinates wait for the browser to be idle.
  const PARCOORDS_IDLE_WAIT_MS = 1000;
  const COLORS = {
    point: '#4c78a8',
    pointLight: '#8fb0d6',
    best: '#e45756',
    muted: '#b8c2cc',
    front: '#e45756',
  };

  // ---------------------------------------------------------------- DOM

  // h('a', {href: '#/', class: 'x', onclick: f}, 'text', child, …)
  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
      else if (key === 'class') element.className = value;
      else element.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  function byId(id) {
    return document.getElementById(id);
  }

  // ---------------------------------------------------------- formatting

  function fmt(value) {
    if (value === null || value === undefined) return '—';
    if (typeof value !== 'number') return String(value);
    if (Number.isInteger(value)) return String(value);
    const magnitude = Math.abs(value);
    if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) return value.toExponential(3);
    return String(Number(value.toPrecision(6)));
  }

  function fmtDuration(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
    const whole = Math.round(seconds);
    if (whole < 3600) return `${Math.floor(whole / 60)}m ${whole % 60}s`;
    return `${Math.floor(whole / 3600)}h ${Math.floor((whole % 3600) / 60)}m`;
  }

  function fmtTime(time) {
    if (!time) return '—';
    return time.replace('T', ' ').replace(/\.\d+/, '').replace(/Z$/, ' UTC');
  }

  // One objective: its best value. Several: the server sends null (or
  // nulls), there being a front rather than one best.
  function hasBest(study) {
    return Array.isArray(study.best_values) && study.best_values.some((v) => v !== null);
  }

  function stateBadge(state) {
    return h('span', {class: `badge state-${state}`}, state);
  }

  function studyHref(name) {
    return `#/studies/${encodeURIComponent(name)}`;
  }

  function trialHref(name, number) {
    return `${studyHref(name)}/trials/${number}`;
  }

  // The sampler a study runs, with the choice `auto` made and its reason
  // when the study's metadata records them.
  function samplerSummary(study) {
    const metadata = study.metadata || {};
    const chosen = metadata['knob.sampler.auto'] ?? metadata['sampler.chosen'];
    const reason = metadata['knob.sampler.auto_reason'] ?? metadata['sampler.reason'];
    return {name: study.sampler, chosen, reason};
  }

  // --------------------------------------------------------------- data

  // The JSON API of knob-server.
  class ServerSource {
    async get(path) {
      const response = await fetch(path, {headers: {Accept: 'application/json'}});
      const body = await response.json().catch(() => null);
      if (!response.ok) {
        throw new Error(body?.error?.message || `${response.status} ${response.statusText}`);
      }
      return body;
    }

    studies() {
      return this.get('/api/studies');
    }

    study(name) {
      return this.get(`/api/studies/${encodeURIComponent(name)}`);
    }

    trials(name, query) {
      const search = new URLSearchParams({
        offset: query.offset,
        limit: query.limit,
        sort: query.sort,
        order: query.order,
      });
      if (query.states.length) search.set('state', query.states.join(','));
      return this.get(`/api/studies/${encodeURIComponent(name)}/trials?${search}`);
    }

    trial(name, number) {
      return this.get(`/api/studies/${encodeURIComponent(name)}/trials/${number}`);
    }

    plots(name) {
      return this.get(`/api/studies/${encodeURIComponent(name)}/plots`);
    }

    importance(name) {
      return this.get(`/api/studies/${encodeURIComponent(name)}/importance`);
    }
  }

  // One study inlined in the page by `knobctl report --html`: the same
  // answers as the server's, the trial table sorted and paged here.
  class ReportSource {
    constructor(report) {
      this.report = report;
    }

    async studies() {
      return {studies: [this.report.study]};
    }

    async study() {
      return this.report.study;
    }

    async trials(name, query) {
      let rows = this.report.trials?.trials || [];
      if (query.states.length) rows = rows.filter((row) => query.states.includes(row.state));
      const key = sortKey(query.sort);
      const sign = query.order === 'desc' ? -1 : 1;
      rows = rows.slice().sort((a, b) => {
        const x = key(a);
        const y = key(b);
        // Rows without the key go last whichever the order, as on the server.
        if (x === null || x === undefined) return y === null || y === undefined ? a.number - b.number : 1;
        if (y === null || y === undefined) return -1;
        if (x < y) return -sign;
        if (x > y) return sign;
        return a.number - b.number;
      });
      return {
        total: rows.length,
        offset: query.offset,
        limit: query.limit,
        trials: rows.slice(query.offset, query.offset + query.limit),
      };
    }

    async trial(name, number) {
      const row = (this.report.trials?.trials || []).find((t) => t.number === number);
      if (!row) throw new Error(`trial ${number} is not in this report`);
      return row;
    }

    async plots() {
      return this.report.plots;
    }

    async importance() {
      return this.report.importance || {importances: [], reason: 'not in this report'};
    }
  }

  function sortKey(sort) {
    if (sort === 'value') return (row) => (row.values ? row.values[0] : null);
    if (sort === 'duration') return (row) => row.duration_s;
    if (sort === 'state') return (row) => row.state;
    if (sort.startsWith('param:')) {
      const name = sort.slice('param:'.length);
      return (row) => row.params?.[name];
    }
    return (row) => row.number;
  }

  const report = window.KNOB_REPORT || null;
  // Bumped on every route change: a page that finishes loading after the
  // user left it must not mark the next page ready.
  let generation = 0;

  function markReady(pageGeneration) {
    if (pageGeneration !== generation) return;
    document.body.setAttribute('data-ready', 'true');
    // For tests/bench/dashboard_load.js, as the charts' marks.
    performance.mark('ready');
  }

  const source = report ? new ReportSource(report) : new ServerSource();

  // Calls `tick` every POLL_MS until stopped; one call at a time.
  function poller(tick) {
    let timer = null;
    let stopped = false;
    const live = byId('live');
    const loop = async () => {
      try {
        await tick();
        live.textContent = 'live';
        live.className = 'live';
      } catch (error) {
        live.textContent = `offline: ${error.message}`;
        live.className = 'live offline';
      }
      if (!stopped) timer = setTimeout(loop, POLL_MS);
    };
    return {
      start() {
        if (report) return;
        live.hidden = false;
        if (!live.textContent) live.textContent = 'live';
        timer = setTimeout(loop, POLL_MS);
      },
      stop() {
        stopped = true;
        clearTimeout(timer);
      },
    };
  }

  // -------------------------------------------------------------- charts

  function baseLayout(revision) {
    return {
      // Keeps the user's zoom, pan and brushing across live redraws.
      uirevision: revision,
      margin: {l: 60, r: 20, t: 10, b: 45},
      font: {family: 'system-ui, sans-serif', size: 12, color: '#243447'},
      paper_bgcolor: 'rgba(0,0,0,0)',
      plot_bgcolor: '#fff',
      hovermode: 'closest',
    };
  }

  // index.html loads Plotly asynchronously, so that the page's requests
  // go out while the browser parses its 4.5 MB (a second or more); a
  // report inlines it before this script.
  const plotlyLoaded = new Promise((resolve, reject) => {
    if (window.Plotly) {
      resolve();
      return;
    }
    const script = document.querySelector('script[src$="plotly.min.js"]');
    script.addEventListener('load', () => resolve());
    script.addEventListener('error', () => reject(new Error('cannot load Plotly')));
  });

  async function draw(id, traces, layout, points) {
    const element = byId(id);
    if (!element) return;
    await plotlyLoaded;
    // The user may have left the page meanwhile.
    if (!element.isConnected) return;
    await Plotly.react(element, traces, layout, PLOT_CONFIG);
    element.setAttribute('data-rendered', String(points));
    // For tests/bench/dashboard_load.js: when each chart was drawn.
    performance.mark(`drawn ${id}`);
  }

  function emptyLayout(layout, message) {
    return {
      ...layout,
      xaxis: {visible: false},
      yaxis: {visible: false},
      annotations: [{text: message, showarrow: false, font: {size: 14, color: '#6b7b8c'}}],
    };
  }

  // Says how many of the study's completed trials a chart shows, when
  // not all of them.
  function setNote(id, shown, completed) {
    const note = byId(id);
    if (!note) return;
    note.textContent = shown < completed
      ? `${shown.toLocaleString('en')} of ${completed.toLocaleString('en')} completed trials (the best and an even spread)`
      : '';
  }

  // Parameters that vary (fixed ones carry no information for a chart).
  function variedParams(plots) {
    return (plots.params || []).filter((p) => p.type !== 'fixed');
  }

  function isMinimize(plots, objective) {
    return plots.objectives[objective]?.direction !== 'maximize';
  }

  function objectiveName(plots, objective) {
    return plots.objectives[objective]?.name || `objective ${objective}`;
  }

  function allPositive(values) {
    return values.length > 0 && values.every((v) => v === null || v > 0);
  }

  // The best-so-far line needs only the trials where it moves (and the
  // last one): a few dozen points instead of one per trial.
  function bestSteps(numbers, best) {
    const x = [];
    const y = [];
    best.forEach((value, i) => {
      if (i === 0 || value !== best[i - 1] || i === best.length - 1) {
        x.push(numbers[i]);
        y.push(value);
      }
    });
    return {x, y};
  }

  function drawHistory(ctx) {
    const {plots, objective, logY, revision} = ctx;
    const history = plots.history;
    const ys = history.values[objective] || [];
    const layout = {
      // A zoomed range means nothing on the other scale.
      ...baseLayout(`${revision}/${logY ? 'log' : 'linear'}`),
      height: 360,
      showlegend: true,
      legend: {orientation: 'h', y: 1.08},
      xaxis: {title: {text: 'trial'}, zeroline: false},
      yaxis: {title: {text: objectiveName(plots, objective)}, type: logY && allPositive(ys) ? 'log' : 'linear'},
    };
    const shown = thinAll(ys.length, ys, isMinimize(plots, objective), HISTORY_MAX_MARKERS);
    const note = byId('history-note');
    if (note) {
      note.textContent = shown.length < ys.length
        ? `${shown.length.toLocaleString('en')} of ${ys.length.toLocaleString('en')} trials marked (the best and an even spread)`
        : '';
    }
    if (!ys.length) return draw('chart-history', [], emptyLayout(layout, 'No completed trials yet'), 0);
    const traces = [{
      type: 'scatter',
      mode: 'markers',
      name: objectiveName(plots, objective),
      x: shown.map((i) => history.number[i]),
      y: shown.map((i) => ys[i]),
      marker: {size: 5, color: COLORS.pointLight},
      hovertemplate: 'trial %{x}<br>%{y:.6g}<extra></extra>',
    }];
    const best = history.best?.[objective];
    if (best && best.length) {
      const steps = bestSteps(history.number, best);
      traces.push({
        type: 'scatter',
        mode: 'lines',
        name: 'best so far',
        x: steps.x,
        y: steps.y,
        line: {shape: 'hv', color: COLORS.best, width: 2},
        hovertemplate: 'best after trial %{x}<br>%{y:.6g}<extra></extra>',
      });
    }
    return draw('chart-history', traces, layout, shown.length);
  }

  // A parcoords dimension for one parameter: log parameters on a log10
  // scale with readable ticks, categoricals as their choice labels.
  function parcoordsDimension(param, column) {
    if (param.type === 'categorical') {
      const labels = param.choices.map(String);
      return {
        label: param.name,
        values: column.map((v) => (v === null ? null : labels.indexOf(String(v)))),
        tickvals: labels.map((_, i) => i),
        ticktext: labels,
        range: [0, Math.max(labels.length - 1, 1)],
      };
    }
    if (param.log) {
      const low = Math.log10(param.min);
      const high = Math.log10(param.max);
      const tickvals = [];
      for (let e = Math.ceil(low); e <= Math.floor(high); e++) tickvals.push(e);
      return {
        label: `${param.name} (log)`,
        values: column.map((v) => (v === null ? null : Math.log10(v))),
        tickvals,
        ticktext: tickvals.map((e) => (Math.abs(e) >= 3 ? `1e${e}` : fmt(10 ** e))),
        range: [low, high],
      };
    }
    return {label: param.name, values: column, range: [param.min, param.max]};
  }

  // At most `limit` of `indices`, in their order: the best fifth by
  // `values`, and the others evenly spread.
  function thinIndices(indices, values, minimize, limit) {
    if (indices.length <= limit) return indices;
    const bestCount = Math.floor(limit / 5);
    // The best fifth is what is at most the bestCount-th smallest key: a
    // typed array sorts natively, where sorting tens of thousands of
    // indices with a comparator holds the page up noticeably.
    const keys = Float64Array.from(indices, (i) => (minimize ? values[i] : -values[i]));
    const threshold = keys.slice().sort()[bestCount - 1];
    const chosen = new Uint8Array(indices.length);
    let best = 0;
    for (let k = 0; k < indices.length && best < bestCount; k++) {
      if (keys[k] <= threshold) {
        chosen[k] = 1;
        best += 1;
      }
    }
    const rest = [];
    for (let k = 0; k < indices.length; k++) if (!chosen[k]) rest.push(k);
    const spread = limit - best;
    const stride = rest.length / spread;
    for (let k = 0; k < spread; k++) chosen[rest[Math.floor(k * stride)]] = 1;
    return indices.filter((_, k) => chosen[k]);
  }

  // The indices of the first `count` values, thinned to `limit`.
  function thinAll(count, values, minimize, limit) {
    return thinIndices(Array.from({length: count}, (_, i) => i), values, minimize, limit);
  }

  function drawParcoords(ctx) {
    const {plots, objective, revision} = ctx;
    const points = plots.points;
    const objectiveValues = points.values[objective] || [];
    const layout = {...baseLayout(revision), height: 380, margin: {l: 70, r: 70, t: 50, b: 30}};
    const params = variedParams(plots);
    if (!objectiveValues.length || !params.length) {
      return draw('chart-parcoords', [], emptyLayout(layout, 'No completed trials yet'), 0);
    }
    let dimensions = params.map((p) => parcoordsDimension(p, points.params[p.name] || []));
    const complete = (dims) => objectiveValues.map((_, i) => dims.every((d) => d.values[i] !== null && d.values[i] !== undefined));
    let keep = complete(dimensions);
    // Conditional parameters are absent from many trials; a line needs a
    // value on every axis, so drop those axes when they would hide most trials.
    if (keep.filter(Boolean).length < objectiveValues.length / 2) {
      dimensions = dimensions.filter((d) => d.values.every((v) => v !== null && v !== undefined));
      keep = complete(dimensions);
    }
    const shown = thinIndices(objectiveValues.map((_, i) => i).filter((i) => keep[i]),
      objectiveValues, isMinimize(plots, objective), PARCOORDS_MAX_LINES);
    const pick = (values) => shown.map((i) => values[i]);
    const colors = pick(objectiveValues);
    setNote('parcoords-note', colors.length, plots.history.number.length);
    dimensions = dimensions.map((d) => ({...d, values: pick(d.values)}));
    dimensions.push({label: objectiveName(plots, objective), values: colors});
    const trace = {
      type: 'parcoords',
      dimensions,
      line: {
        color: colors,
        colorscale: 'Viridis',
        // The best trials are drawn bright.
        reversescale: isMinimize(plots, objective),
        showscale: true,
        colorbar: {thickness: 12, title: {text: objectiveName(plots, objective), side: 'right'}},
      },
    };
    return draw('chart-parcoords', [trace], layout, colors.length);
  }

  function drawSlice(ctx) {
    const {plots, objective, revision} = ctx;
    const points = plots.points;
    const ys = points.values[objective] || [];
    const shown = thinAll(ys.length, ys, isMinimize(plots, objective), PARAM_CHART_MAX_MARKERS);
    setNote('slice-note', shown.length, plots.history.number.length);
    const params = variedParams(plots);
    const columns = Math.min(Math.max(params.length, 1), 4);
    const rows = Math.max(1, Math.ceil(params.length / columns));
    const layout = {
      ...baseLayout(revision),
      height: 60 + rows * 220,
      showlegend: false,
      grid: {rows, columns, pattern: 'independent', xgap: 0.12, ygap: 0.3},
      margin: {l: 60, r: 20, t: 20, b: 45},
    };
    if (!ys.length || !params.length) return draw('chart-slice', [], emptyLayout(layout, 'No completed trials yet'), 0);
    const traces = [];
    let drawn = 0;
    params.forEach((param, index) => {
      const suffix = index === 0 ? '' : String(index + 1);
      const column = points.params[param.name] || [];
      const xs = [];
      const vs = [];
      const numbers = [];
      shown.forEach((i) => {
        const v = column[i];
        if (v === null || v === undefined) return;
        xs.push(param.type === 'categorical' ? String(v) : v);
        vs.push(ys[i]);
        numbers.push(points.number[i]);
      });
      drawn += xs.length;
      traces.push({
        type: 'scatter',
        mode: 'markers',
        x: xs,
        y: vs,
        customdata: numbers,
        xaxis: `x${suffix}`,
        yaxis: `y${suffix}`,
        marker: {size: 4, color: numbers, colorscale: 'Blues', opacity: 0.75},
        hovertemplate: `${param.name}=%{x}<br>%{y:.6g}<br>trial %{customdata}<extra></extra>`,
      });
      layout[`xaxis${suffix}`] = {
        title: {text: param.name, standoff: 4},
        type: param.type === 'categorical' ? 'category' : param.log ? 'log' : 'linear',
        categoryorder: 'array',
        categoryarray: param.type === 'categorical' ? param.choices.map(String) : undefined,
      };
      layout[`yaxis${suffix}`] = {title: {text: index % columns === 0 ? objectiveName(plots, objective) : ''}};
    });
    return draw('chart-slice', traces, layout, drawn);
  }

  // The cells of one contour axis: every choice of a categorical, every
  // value of a small int range, else `bins` equal cells (on a log scale for
  // log parameters).
  function contourAxis(param, bins) {
    if (param.type === 'categorical') {
      const labels = param.choices.map(String);
      return {centers: labels, cell: (v) => labels.indexOf(String(v)), type: 'category'};
    }
    if (param.type === 'int' && !param.log && param.max - param.min < bins) {
      const centers = [];
      for (let v = param.min; v <= param.max; v += param.step || 1) centers.push(v);
      return {centers, cell: (v) => Math.round((v - param.min) / (param.step || 1)), type: 'linear'};
    }
    const scale = param.log ? Math.log10 : (v) => v;
    const low = scale(param.min);
    const width = (scale(param.max) - low) / bins || 1;
    const centers = [];
    for (let i = 0; i < bins; i++) {
      const center = low + (i + 0.5) * width;
      centers.push(param.log ? 10 ** center : center);
    }
    const cell = (v) => Math.min(bins - 1, Math.max(0, Math.floor((scale(v) - low) / width)));
    return {centers, cell, type: param.log ? 'log' : 'linear'};
  }

  function drawContour(ctx) {
    const {plots, objective, revision, contourX, contourY} = ctx;
    const layout = {...baseLayout(`${revision}/${contourX}/${contourY}`), height: 420, showlegend: false};
    const params = variedParams(plots);
    const px = params.find((p) => p.name === contourX);
    const py = params.find((p) => p.name === contourY);
    const zs = plots.points.values[objective] || [];
    if (!px || !py || px === py) {
      return draw('chart-contour', [], emptyLayout(layout, 'Choose two different parameters'), 0);
    }
    if (!zs.length) return draw('chart-contour', [], emptyLayout(layout, 'No completed trials yet'), 0);
    const ax = contourAxis(px, 24);
    const ay = contourAxis(py, 24);
    const sums = ay.centers.map(() => ax.centers.map(() => 0));
    const counts = ay.centers.map(() => ax.centers.map(() => 0));
    const xs = [];
    const ys = [];
    const vs = [];
    const numbers = [];
    const columnX = plots.points.params[px.name] || [];
    const columnY = plots.points.params[py.name] || [];
    // Every point counts in the cells' means, a sample of them is marked.
    const marked = new Set(thinAll(zs.length, zs, isMinimize(plots, objective), PARAM_CHART_MAX_MARKERS));
    zs.forEach((z, i) => {
      const x = columnX[i];
      const y = columnY[i];
      if (x === null || x === undefined || y === null || y === undefined) return;
      const cx = ax.cell(x);
      const cy = ay.cell(y);
      if (cx >= 0 && cy >= 0 && cy < sums.length && cx < sums[cy].length) {
        sums[cy][cx] += z;
        counts[cy][cx] += 1;
      }
      if (!marked.has(i)) return;
      xs.push(px.type === 'categorical' ? String(x) : x);
      ys.push(py.type === 'categorical' ? String(y) : y);
      vs.push(z);
      numbers.push(plots.points.number[i]);
    });
    const grid = sums.map((row, r) => row.map((sum, c) => (counts[r][c] ? sum / counts[r][c] : null)));
    const traces = [
      {
        type: 'contour',
        x: ax.centers,
        y: ay.centers,
        z: grid,
        connectgaps: true,
        colorscale: 'Viridis',
        reversescale: isMinimize(plots, objective),
        line: {smoothing: 0.85, width: 0.5},
        colorbar: {thickness: 12, title: {text: objectiveName(plots, objective), side: 'right'}},
        hovertemplate: `${px.name}=%{x}<br>${py.name}=%{y}<br>mean %{z:.6g}<extra></extra>`,
      },
      {
        type: 'scatter',
        mode: 'markers',
        x: xs,
        y: ys,
        customdata: numbers.map((n, i) => [n, vs[i]]),
        marker: {size: 4, color: 'rgba(20,30,40,0.55)', line: {width: 0.5, color: '#fff'}},
        hovertemplate: 'trial %{customdata[0]}<br>%{customdata[1]:.6g}<extra></extra>',
      },
    ];
    layout.xaxis = {title: {text: px.name}, type: ax.type};
    layout.yaxis = {title: {text: py.name}, type: ay.type};
    return draw('chart-contour', traces, layout, xs.length);
  }

  function drawImportance(ctx) {
    const {importance, revision} = ctx;
    const rows = importance?.importances || [];
    const layout = {
      ...baseLayout(revision),
      height: Math.max(220, 70 + rows.length * 28),
      margin: {l: 140, r: 20, t: 10, b: 45},
      xaxis: {title: {text: 'importance'}, rangemode: 'tozero'},
    };
    // The server fits the forest in the background; meanwhile it sends
    // the last importances it has (or none) marked "computing".
    const note = byId('importance-note');
    if (note) note.textContent = importance?.computing && rows.length ? 'updating…' : '';
    if (!rows.length) {
      const message = importance?.computing ? 'Computing importances…' : importance?.reason || 'No importances yet';
      return draw('chart-importance', [], emptyLayout(layout, message), 0);
    }
    const ordered = rows.slice().reverse();  // Largest on top.
    const trace = {
      type: 'bar',
      orientation: 'h',
      x: ordered.map((r) => r.importance),
      y: ordered.map((r) => r.param),
      marker: {color: COLORS.point},
      hovertemplate: '%{y}: %{x:.3f}<extra></extra>',
    };
    return draw('chart-importance', [trace], layout, rows.length);
  }

  // Steps are whole numbers: over a short range, tick every step rather
  // than at halves.
  function stepTicks(steps) {
    const last = steps.reduce((a, b) => Math.max(a, b), 0);
    return last <= 20 ? {tick0: 0, dtick: 1} : {};
  }

  function drawIntermediate(ctx) {
    const {plots, revision} = ctx;
    const curves = plots.intermediate || {number: [], steps: [], values: []};
    const layout = {
      ...baseLayout(revision),
      height: 360,
      showlegend: false,
      xaxis: {title: {text: 'step'}, ...stepTicks(curves.steps.flat())},
      yaxis: {title: {text: 'intermediate value'}},
    };
    if (!curves.number.length) {
      return draw('chart-intermediate', [], emptyLayout(layout, 'No intermediate values reported'), 0);
    }
    // One SVG trace with the curves separated by gaps: Plotly's cost grows
    // with the number of traces far more than with the number of points,
    // and a hundred traces took twice as long to draw.
    const x = [];
    const y = [];
    const trial = [];
    curves.number.forEach((number, i) => {
      if (i) {
        x.push(null);
        y.push(null);
        trial.push(null);
      }
      x.push(...curves.steps[i]);
      y.push(...curves.values[i]);
      for (let k = 0; k < curves.values[i].length; k++) trial.push(number);
    });
    const drawn = x.length - (curves.number.length - 1);
    const traces = [{
      type: 'scatter',
      mode: 'lines',
      x,
      y,
      customdata: trial,
      connectgaps: false,
      line: {width: 1.2, color: COLORS.point},
      opacity: 0.6,
      hovertemplate: 'trial %{customdata}<br>step %{x}: %{y:.6g}<extra></extra>',
    }];
    return draw('chart-intermediate', traces, layout, drawn);
  }

  function drawPareto(ctx) {
    const {plots, revision} = ctx;
    const history = plots.history;
    const count = plots.objectives.length;
    const front = new Set(plots.pareto?.numbers || []);
    const layout = {...baseLayout(revision), height: 440, legend: {orientation: 'h', y: 1.08}};
    if (!history.number.length) return draw('chart-pareto', [], emptyLayout(layout, 'No completed trials yet'), 0);
    const split = (onFront) => {
      const indices = history.number.map((n, i) => i).filter((i) => front.has(history.number[i]) === onFront);
      return {
        numbers: indices.map((i) => history.number[i]),
        axes: plots.objectives.map((_, k) => indices.map((i) => history.values[k][i])),
      };
    };
    const others = split(false);
    const best = split(true);
    const names = plots.objectives.map((o) => `${o.name} (${o.direction})`);
    const hover = count === 3
      ? 'trial %{customdata}<br>%{x:.4g}, %{y:.4g}, %{z:.4g}<extra></extra>'
      : 'trial %{customdata}<br>%{x:.4g}, %{y:.4g}<extra></extra>';
    const trace = (part, name, marker) => ({
      type: count === 3 ? 'scatter3d' : 'scattergl',
      mode: 'markers',
      name,
      x: part.axes[0],
      y: part.axes[1],
      z: count === 3 ? part.axes[2] : undefined,
      customdata: part.numbers,
      marker,
      hovertemplate: hover,
    });
    const traces = [
      trace(others, 'dominated', {size: count === 3 ? 2.5 : 5, color: COLORS.muted, opacity: 0.7}),
      trace(best, 'Pareto front', {size: count === 3 ? 4 : 8, color: COLORS.front, line: {width: 1, color: '#7a1f1f'}}),
    ];
    if (count === 2 && best.numbers.length) {
      // Joins the front in the order of the first objective, as a staircase.
      const order = best.numbers.map((_, i) => i).sort((a, b) => best.axes[0][a] - best.axes[0][b]);
      traces.push({
        type: 'scattergl',
        mode: 'lines',
        name: 'front',
        showlegend: false,
        hoverinfo: 'skip',
        x: order.map((i) => best.axes[0][i]),
        y: order.map((i) => best.axes[1][i]),
        line: {color: COLORS.front, width: 1, dash: 'dot'},
      });
    }
    if (count === 3) {
      layout.scene = {xaxis: {title: {text: names[0]}}, yaxis: {title: {text: names[1]}}, zaxis: {title: {text: names[2]}}};
      layout.margin = {l: 0, r: 0, t: 30, b: 0};
    } else {
      layout.xaxis = {title: {text: names[0]}};
      layout.yaxis = {title: {text: names[1]}};
    }
    return draw('chart-pareto', traces, layout, history.number.length);
  }

  // ---------------------------------------------------------- the pages

  function setBreadcrumbs(...items) {
    const nav = byId('breadcrumbs');
    nav.replaceChildren(...items.flatMap((item, i) => [i ? h('span', {class: 'sep'}, '/') : null, item]).filter(Boolean));
  }

  function showError(container, error) {
    const banner = h('div', {class: 'error'}, error.message || String(error));
    container.prepend(banner);
  }

  function countsLine(counts) {
    return h('span', {class: 'counts'},
      TRIAL_STATES.filter((s) => counts[s]).map((s) => h('span', {class: `count state-${s}`, title: s}, `${counts[s]} ${s}`)),
      h('span', {class: 'count total'}, `${counts.total} total`));
  }

  // The list's best value. The server reads no trials for the list: while
  // it reads a study's latest ones in the background ("best_pending"), the
  // cell shows the last best known, marked, or says it is being read; a
  // later poll fills it in.
  function bestCell(study) {
    const pending = study.best_pending
      ? h('span', {class: 'muted pending', title: 'reading the latest trials'}, '…')
      : null;
    if (hasBest(study)) return [study.best_values.map(fmt).join(', '), pending];
    if (pending) return pending;
    return h('span', {class: 'muted'}, study.objectives.length > 1 ? 'Pareto front' : '—');
  }

  function studiesView() {
    const born = generation;
    const view = byId('view');
    const body = h('tbody');
    const table = h('table', {id: 'study-table', class: 'table'},
      h('thead', {}, h('tr', {},
        ['study', 'state', 'objectives', 'sampler', 'trials', 'best', 'updated'].map((c) => h('th', {}, c)))),
      body);
    view.replaceChildren(h('h1', {}, 'Studies'), table);
    setBreadcrumbs(h('span', {}, 'Studies'));
    document.title = 'Knob — studies';

    const render = (studies) => {
      body.replaceChildren(...studies.map((s) => h('tr', {},
        h('td', {}, h('a', {href: studyHref(s.name)}, s.name)),
        h('td', {}, stateBadge(s.state), s.state_reason ? h('div', {class: 'muted small'}, s.state_reason) : null),
        h('td', {}, s.objectives.map((o, i) => `${o} (${s.directions[i]})`).join(', ')),
        h('td', {}, s.sampler),
        h('td', {}, countsLine(s.counts)),
        h('td', {class: 'num'}, bestCell(s)),
        h('td', {class: 'muted'}, fmtTime(s.update_time)))));
      if (!studies.length) body.append(h('tr', {}, h('td', {colspan: 7, class: 'muted'}, 'No studies yet.')));
      table.setAttribute('data-rendered', String(studies.length));
    };
    const polling = poller(async () => render((await source.studies()).studies));
    return {
      async start() {
        try {
          render((await source.studies()).studies);
        } catch (error) {
          showError(view, error);
        }
        markReady(born);
        polling.start();
      },
      stop: () => polling.stop(),
    };
  }

  function chartCard(id, title, options = {}) {
    return h('section', {class: `card${options.wide ? ' wide' : ''}`},
      h('div', {class: 'card-head'}, h('h2', {}, title), h('div', {class: 'controls'}, options.controls || [])),
      h('div', {id, class: 'chart'}));
  }

  function studyView(name) {
    const born = generation;
    const view = byId('view');
    const query = {offset: 0, limit: PAGE_SIZE, sort: 'number', order: 'asc', states: []};
    const state = {
      study: null,
      plots: null,
      importance: null,
      importanceAt: 0,
      importanceCompleted: -1,
      objective: 0,
      logY: false,
      contourX: null,
      contourY: null,
      // Until the user picks a pair, the contour shows the two most
      // important parameters.
      contourPicked: false,
      // Parallel coordinates are drawn once on screen (watchParcoords).
      parcoordsOnScreen: false,
      importanceLoading: null,
      tableRequest: 0,
    };

    const header = h('section', {id: 'study-header', class: 'study-header'});
    const objectiveSelect = h('select', {id: 'objective-select', onchange: () => {
      state.objective = Number(objectiveSelect.value);
      drawObjectiveCharts();
    }});
    const logToggle = h('input', {type: 'checkbox', id: 'history-log', onchange: () => {
      state.logY = logToggle.checked;
      drawHistory(context());
    }});
    const contourXSelect = h('select', {id: 'contour-x', onchange: () => {
      state.contourX = contourXSelect.value;
      state.contourPicked = true;
      drawContour(context());
    }});
    const contourYSelect = h('select', {id: 'contour-y', onchange: () => {
      state.contourY = contourYSelect.value;
      state.contourPicked = true;
      drawContour(context());
    }});
    const stateFilter = h('div', {class: 'state-filter'});
    const pager = h('div', {class: 'pager'});
    const tableHead = h('thead');
    const tableBody = h('tbody');
    const table = h('table', {id: 'trial-table', class: 'table trials'}, tableHead, tableBody);
    const charts = h('div', {class: 'charts'});

    view.replaceChildren(header, charts,
      h('section', {class: 'card wide'},
        h('div', {class: 'card-head'}, h('h2', {}, 'Trials'), stateFilter),
        h('div', {class: 'table-scroll'}, table), pager));
    setBreadcrumbs(h('a', {href: '#/'}, 'Studies'), h('span', {}, name));
    document.title = `Knob — ${name}`;

    const context = () => ({
      plots: state.plots,
      importance: state.importance,
      objective: state.objective,
      logY: state.logY,
      contourX: state.contourX,
      contourY: state.contourY,
      // Zoom and brushing survive live redraws, not a change of objective.
      revision: `${name}/${state.objective}`,
    });

    function buildCharts() {
      const multi = state.study.objectives.length > 1;
      const cards = [
        chartCard('chart-history', 'Optimization history', {controls: [h('span', {id: 'history-note'}),
          h('label', {class: 'toggle', title: 'Only when every value is positive'}, logToggle, 'log y')]}),
        chartCard('chart-importance', 'Parameter importance', {controls: [h('span', {id: 'importance-note'})]}),
        chartCard('chart-parcoords', 'Parallel coordinates', {
          wide: true, controls: [h('span', {id: 'parcoords-note'}), h('span', {}, 'drag along an axis to filter')]}),
        chartCard('chart-slice', 'Slices', {wide: true, controls: [h('span', {id: 'slice-note'})]}),
        chartCard('chart-contour', 'Contour', {controls: ['x ', contourXSelect, ' y ', contourYSelect]}),
        chartCard('chart-intermediate', 'Intermediate values'),
      ];
      if (multi && state.study.objectives.length <= 3) {
        cards.unshift(chartCard('chart-pareto', 'Pareto front', {wide: true}));
      }
      charts.replaceChildren(...cards);
      objectiveSelect.replaceChildren(...state.study.objectives.map((o, i) => h('option', {value: i}, o)));
    }

    // The header is rebuilt on every change except the config panel,
    // which keeps its element so that an opened panel stays open.
    const configText = h('pre');
    const config = h('details', {class: 'config'}, h('summary', {}, 'config and metadata'), configText);

    function renderHeader() {
      const study = state.study;
      const sampler = samplerSummary(study);
      const best = hasBest(study)
        ? study.objectives.map((o, i) => h('span', {class: 'best'}, `${o}: `, h('strong', {}, fmt(study.best_values[i]))))
        : [h('span', {class: 'muted'}, study.objectives.length > 1 ? 'see the Pareto front' : 'no completed trial yet')];
      configText.textContent = JSON.stringify({config: study.config, metadata: study.metadata}, null, 2);
      header.replaceChildren(...[
        h('div', {class: 'title-row'},
          h('h1', {}, study.name), stateBadge(study.state),
          study.state_reason ? h('span', {class: 'muted'}, study.state_reason) : null),
        h('dl', {class: 'facts'},
          h('dt', {}, 'trials'), h('dd', {id: 'study-counts'}, countsLine(study.counts)),
          h('dt', {}, 'objectives'), h('dd', {}, study.objectives.map((o, i) => `${o} (${study.directions[i]})`).join(', ')),
          h('dt', {}, 'best'), h('dd', {}, best),
          h('dt', {}, 'sampler'), h('dd', {}, sampler.name,
            sampler.chosen ? [' → ', h('strong', {}, sampler.chosen)] : null,
            sampler.reason ? h('div', {class: 'muted small'}, sampler.reason) : null),
          h('dt', {}, 'created'), h('dd', {}, fmtTime(study.create_time)),
          h('dt', {}, 'updated'), h('dd', {}, fmtTime(study.update_time))),
        study.objectives.length > 1
          ? h('label', {class: 'objective'}, 'objective shown ', objectiveSelect)
          : null,
        config,
      ].filter(Boolean));
    }

    function fillContourSelects() {
      const params = variedParams(state.plots);
      const names = params.map((p) => p.name);
      if (!state.contourPicked || !names.includes(state.contourX) || !names.includes(state.contourY)) {
        // The two most important parameters when known, else the first two.
        const ranked = (state.importance?.importances || []).map((r) => r.param).filter((p) => names.includes(p));
        const order = [...ranked, ...names.filter((n) => !ranked.includes(n))];
        state.contourX = order[0] ?? null;
        state.contourY = order[1] ?? null;
      }
      for (const [select, chosen] of [[contourXSelect, state.contourX], [contourYSelect, state.contourY]]) {
        if (select.options.length !== names.length) {
          select.replaceChildren(...names.map((n) => h('option', {value: n}, n)));
        }
        select.value = chosen ?? '';
      }
    }

    function drawObjectiveCharts() {
      const ys = state.plots.history.values[state.objective] || [];
      logToggle.disabled = !allPositive(ys);
      const ctx = context();
      const pending = [drawHistory(ctx), drawSlice(ctx), drawContour(ctx)];
      if (state.parcoordsOnScreen) pending.push(drawParcoords(ctx));
      return Promise.all(pending);
    }

    // Where WebGL is rendered in software, parallel coordinates take
    // longer to draw than every other chart together (seconds, however few
    // lines), and the browser does nothing else meanwhile: the page is
    // ready without them, and they are drawn once their card is on screen
    // and the rest of the page has been painted, then kept up to date
    // with the others.
    function watchParcoords() {
      const element = byId('chart-parcoords');
      const observer = new IntersectionObserver((entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        observer.disconnect();
        requestIdleCallback(() => {
          if (born !== generation) return;  // The user left the page.
          state.parcoordsOnScreen = true;
          drawParcoords(context());
        }, {timeout: PARCOORDS_IDLE_WAIT_MS});
      });
      observer.observe(element);
    }

    function drawCharts() {
      fillContourSelects();
      const ctx = context();
      const pending = [drawObjectiveCharts(), drawIntermediate(ctx)];
      if (state.importance) pending.push(drawImportance(ctx));
      if (byId('chart-pareto')) pending.push(drawPareto(ctx));
      return Promise.all(pending);
    }

    // ---- the trial table

    function columns() {
      const study = state.study;
      const params = (study.params || []).filter((p) => p.type !== 'fixed');
      return [
        {label: '#', sort: 'number', cell: (t) => h('a', {href: trialHref(name, t.number)}, t.number), class: 'num'},
        {label: 'state', sort: 'state', cell: (t) => stateBadge(t.state)},
        ...study.objectives.map((o, i) => ({
          label: o,
          // The server sorts by the first objective only.
          sort: i === 0 ? 'value' : null,
          cell: (t) => fmt(t.values ? t.values[i] : null),
          class: 'num',
        })),
        ...params.map((p) => ({
          label: p.name,
          sort: `param:${p.name}`,
          cell: (t) => (p.name in (t.params || {}) ? fmt(t.params[p.name]) : ''),
          class: p.type === 'categorical' ? '' : 'num',
        })),
        {label: 'duration', sort: 'duration', cell: (t) => fmtDuration(t.duration_s), class: 'num'},
      ];
    }

    function sortBy(key) {
      if (query.sort === key) {
        query.order = query.order === 'asc' ? 'desc' : 'asc';
      } else {
        query.sort = key;
        // The first click on the objective shows the best trials first.
        query.order = key === 'value' && state.study.directions[0] === 'maximize' ? 'desc' : 'asc';
      }
      query.offset = 0;
      loadTable();
    }

    function renderStateFilter() {
      const counts = state.study.counts;
      stateFilter.replaceChildren(...TRIAL_STATES.map((s) => h('label', {class: `chip state-${s}`},
        h('input', {type: 'checkbox', value: s, checked: query.states.includes(s), onchange: (event) => {
          query.states = event.target.checked
            ? [...query.states, s]
            : query.states.filter((x) => x !== s);
          query.offset = 0;
          loadTable();
        }}),
        `${s} ${counts[s] ?? 0}`)));
    }

    function renderTable(page) {
      const cols = columns();
      tableHead.replaceChildren(h('tr', {}, cols.map((c) => {
        const arrow = c.sort && query.sort === c.sort ? (query.order === 'asc' ? ' ▲' : ' ▼') : '';
        return h('th', {
          class: `${c.class || ''}${c.sort ? ' sortable' : ''}`,
          'data-sort': c.sort,
          onclick: c.sort ? () => sortBy(c.sort) : null,
        }, c.label + arrow);
      })));
      tableBody.replaceChildren(...page.trials.map((t) => h('tr', {'data-number': t.number},
        cols.map((c) => h('td', {class: c.class || ''}, c.cell(t))))));
      if (!page.trials.length) {
        tableBody.append(h('tr', {}, h('td', {colspan: cols.length, class: 'muted'}, 'No trials match.')));
      }
      const first = page.total ? query.offset + 1 : 0;
      const last = query.offset + page.trials.length;
      pager.replaceChildren(
        h('button', {type: 'button', disabled: query.offset === 0, onclick: () => {
          query.offset = Math.max(0, query.offset - PAGE_SIZE);
          loadTable();
        }}, '‹ previous'),
        h('span', {class: 'muted'}, `${first}–${last} of ${page.total}`),
        h('button', {type: 'button', disabled: last >= page.total, onclick: () => {
          query.offset += PAGE_SIZE;
          loadTable();
        }}, 'next ›'));
      table.setAttribute('data-rendered', String(page.trials.length));
    }

    // Only the latest request paints: a slow page must not overwrite a
    // newer sort or filter the user chose meanwhile. `page` is a request
    // already sent.
    async function loadTable(page = source.trials(name, query)) {
      const request = ++state.tableRequest;
      const rows = await page;
      if (request === state.tableRequest) renderTable(rows);
    }

    // fANOVA takes seconds on a large study: the server computes it in the
    // background and answers "computing" until it has, so the page asks
    // again at each poll meanwhile. No other chart waits for it; the
    // importance chart (and the contour's default pair) is drawn when it
    // arrives. One request at a time.
    function loadImportance(force) {
      if (state.importanceLoading) return state.importanceLoading;
      const completed = state.study?.counts.completed;
      const due = Date.now() - state.importanceAt >= IMPORTANCE_REFRESH_MS;
      const stale = completed !== state.importanceCompleted && due;
      if (!force && !state.importance?.computing && !stale) return Promise.resolve();
      state.importanceLoading = (async () => {
        try {
          state.importance = await source.importance(name);
        } catch (error) {
          state.importance = {importances: [], reason: `importance unavailable: ${error.message}`};
        }
        state.importanceAt = Date.now();
        state.importanceCompleted = completed ?? state.study?.counts.completed;
        state.importanceLoading = null;
        if (!state.plots) return;
        const pair = [state.contourX, state.contourY].join();
        fillContourSelects();
        const ctx = context();
        const pending = [drawImportance(ctx)];
        if ([state.contourX, state.contourY].join() !== pair) pending.push(drawContour(ctx));
        await Promise.all(pending);
      })();
      return state.importanceLoading;
    }

    async function refresh(study) {
      state.study = study;
      loadImportance(false);
      const [plots] = await Promise.all([source.plots(name), loadTable()]);
      state.plots = plots;
      renderHeader();
      renderStateFilter();
      await drawCharts();
    }

    async function load() {
      // Every request goes out at once, while Plotly is still loading.
      const study = source.study(name);
      const plots = source.plots(name);
      const page = source.trials(name, query);
      const importance = loadImportance(true);
      // Awaited later, or never when an earlier one failed.
      for (const request of [plots, page]) request.catch(() => {});
      state.study = await study;
      renderHeader();
      renderStateFilter();
      const table = loadTable(page);
      state.plots = await plots;
      buildCharts();
      await Promise.all([drawCharts(), table, importance]);
      // Observers report at the next frame at the earliest, after the page
      // is marked ready.
      watchParcoords();
    }

    const polling = poller(async () => {
      const study = await source.study(name);
      if (study.sequence !== state.study.sequence) await refresh(study);
      else await loadImportance(false);
    });

    return livePage(born, load, polling);
  }

  // The life of a study or trial page: `load` renders it once, then the
  // page is marked ready and follows the study live. A page that cannot
  // load says why instead, and is not polled.
  function livePage(born, load, polling) {
    return {
      async start() {
        const view = byId('view');
        let loaded = true;
        try {
          await load();
        } catch (error) {
          loaded = false;
          view.replaceChildren();
          showError(view, error);
        }
        markReady(born);
        if (loaded) polling.start();
      },
      stop: () => polling.stop(),
    };
  }

  function keyValueTable(entries, empty) {
    if (!entries.length) return h('p', {class: 'muted'}, empty);
    return h('table', {class: 'table kv'}, h('tbody', {},
      entries.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {class: typeof v === 'number' ? 'num' : ''}, v instanceof Node ? v : fmt(v))))));
  }

  function drawTrialCurve(trial) {
    const points = trial.intermediate_values || [];
    const layout = {
      ...baseLayout(`trial-${trial.number}`),
      height: 320,
      legend: {orientation: 'h', y: 1.1},
      xaxis: {title: {text: 'step'}, ...stepTicks(points.map((p) => p.step))},
      yaxis: {title: {text: 'value'}},
    };
    if (!points.length) return draw('chart-trial-intermediate', [], emptyLayout(layout, 'No intermediate values'), 0);
    const metrics = [...new Set(points.map((p) => p.metric))];
    const traces = metrics.map((metric) => {
      const mine = points.filter((p) => p.metric === metric);
      return {
        type: 'scatter',
        mode: 'lines+markers',
        name: metric || 'objective',
        x: mine.map((p) => p.step),
        y: mine.map((p) => p.value),
        marker: {size: 5, color: mine.map((p) => (p.should_prune ? COLORS.best : COLORS.point))},
        text: mine.map((p) => (p.should_prune ? `prune: ${p.prune_reason}` : '')),
        hovertemplate: 'step %{x}: %{y:.6g}<br>%{text}<extra></extra>',
      };
    });
    return draw('chart-trial-intermediate', traces, layout, points.length);
  }

  function trialView(name, number) {
    const born = generation;
    const view = byId('view');
    let sequence = null;
    setBreadcrumbs(h('a', {href: '#/'}, 'Studies'), h('a', {href: studyHref(name)}, name), h('span', {}, `trial ${number}`));
    document.title = `Knob — ${name} trial ${number}`;

    async function render() {
      const [study, trial] = await Promise.all([source.study(name), source.trial(name, number)]);
      sequence = study.sequence;
      const values = study.objectives.map((o, i) => [`${o} (${study.directions[i]})`, trial.values ? trial.values[i] : null]);
      const times = [
        ['created', fmtTime(trial.create_time)],
        ['started', fmtTime(trial.start_time)],
        ['ended', fmtTime(trial.end_time)],
        ['duration', fmtDuration(trial.duration_s)],
        ['lease deadline', fmtTime(trial.lease_deadline)],
        ['worker', trial.worker_id || '—'],
      ].filter(([, v]) => v !== undefined);
      view.replaceChildren(
        h('section', {class: 'study-header'},
          h('div', {class: 'title-row'}, h('h1', {}, `Trial ${trial.number}`), stateBadge(trial.state),
            h('a', {href: studyHref(name), class: 'muted'}, `of ${name}`)),
          trial.fail_reason ? h('div', {class: 'error'}, trial.fail_reason) : null,
          trial.retry_of != null
            ? h('div', {class: 'muted'}, 'Runs the parameters of lost trial ',
              h('a', {href: trialHref(name, trial.retry_of)}, `${trial.retry_of}`), ' again.')
            : null),
        h('div', {class: 'charts'},
          h('section', {class: 'card'}, h('h2', {}, 'Values'), keyValueTable(values, 'No objectives.')),
          h('section', {class: 'card'}, h('h2', {}, 'Parameters'),
            keyValueTable(Object.entries(trial.params || {}), 'No parameters.')),
          h('section', {class: 'card'}, h('h2', {}, 'Metrics'),
            keyValueTable(Object.entries(trial.metrics || {}), 'No extra metrics.')),
          h('section', {class: 'card'}, h('h2', {}, 'Times'), keyValueTable(times, '')),
          h('section', {class: 'card wide'}, h('h2', {}, 'Intermediate values'),
            h('div', {id: 'chart-trial-intermediate', class: 'chart'})),
          h('section', {class: 'card wide'}, h('h2', {}, 'Environment'),
            keyValueTable(Object.entries(trial.environment || {}), report ? 'Not in this report.' : 'Nothing recorded.'))));
      await drawTrialCurve(trial);
    }

    const polling = poller(async () => {
      const study = await source.study(name);
      if (study.sequence !== sequence) await render();
    });
    return livePage(born, render, polling);
  }

  // ------------------------------------------------------------- routing

  let current = null;

  function route() {
    if (current) current.stop();
    generation += 1;
    document.body.removeAttribute('data-ready');
    // Charts hold WebGL contexts, of which a page gets only a few: free
    // the old page's before drawing the next one's.
    if (window.Plotly) {
      for (const chart of document.querySelectorAll('.js-plotly-plot')) Plotly.purge(chart);
    }
    byId('view').replaceChildren();
    const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
    if (report) {
      // A report holds one study: every route shows it or one of its trials.
      const name = report.study.name;
      current = parts[2] === 'trials' ? trialView(name, Number(parts[3])) : studyView(name);
    } else if (parts[0] === 'studies' && parts.length >= 2) {
      current = parts[2] === 'trials' && parts.length >= 4
        ? trialView(parts[1], Number(parts[3]))
        : studyView(parts[1]);
    } else {
      current = studiesView();
    }
    window.scrollTo(0, 0);
    current.start();
  }

  if (report) {
    const live = byId('live');
    live.hidden = false;
    live.textContent = `report, ${fmtTime(report.study.update_time)}`;
    live.className = 'live report';
  }
  window.addEventListener('hashchange', route);
  route();
})();
