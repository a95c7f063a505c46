import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
const dataDir = mkdtempSync('/tmp/hub-rep-');
const [cmd, args] = process.argv[2] === 'npm' ? ['npm', ['start', '--silent']] : ['node_modules/.bin/node', ['main.ts']];
const child = spawn(cmd, args, { cwd: '/work/main', env: { ...process.env, HUB_DATA_DIR: dataDir, HUB_MQTT_PORT: '0', HUB_HTTP_PORT: '0', HUB_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
child.stdout.on('data', c => out += c); child.stderr.on('data', c => out += c);
while (!out.includes('Log in as')) await new Promise(r => setTimeout(r, 50));
const http = /Console & API\s+http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)[1];
const password = /admin \/ (\S+)/.exec(out)[1];
if (process.argv[3] !== 'nologin') {
const login = await fetch(`http://127.0.0.1:${http}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
console.log('login', login.status);
}
const t = Date.now();
child.on('exit', (code, signal) => { console.log('exit', code, signal, Date.now() - t, 'ms'); console.log(out.split('\n').slice(-5).join('\n')); });
child.kill('SIGTERM');
