/**
 * /bootstrap.sh is built from the Host header the client sent, so that header is refused unless it is
 * a plain host[:port]: nothing a shell would run can reach the script.
 */
import test from 'ava';
import { request, serve } from './helpers.js';

const REFUSED = ['x$(id)', 'x`id`', 'x;id', "x'id", 'x"id', 'x id', 'x|id', 'x\\id', 'x:1:2', 'x/y', '[::1]$(id)', 'x&id'];
const ACCEPTED = ['converge.example.com:4774', 'converge', '10.0.0.7:80', '[::1]:4774', '[fe80::1]'];

test('/bootstrap.sh - a Host with shell metacharacters is refused with 400, and no script is sent', async (t) => {
  const server = await serve(t, { noToken: true });
  for (const host of REFUSED) {
    const response = await request(server, 'GET', '/bootstrap.sh', { headers: { Host: host } });
    t.is(response.status, 400, host);
    t.false(response.body.includes('#!/bin/sh'), host);
    t.regex(response.body, /Host header is not a plain host\[:port\]/, host);
  }
});

test('/bootstrap.sh - a plain host[:port] is used as the server address', async (t) => {
  const server = await serve(t, { noToken: true });
  for (const host of ACCEPTED) {
    const response = await request(server, 'GET', '/bootstrap.sh', { headers: { Host: host } });
    t.is(response.status, 200, host);
    t.true(response.body.includes(`server="\${CONVERGE_SERVER:-http://${host}}"`), host);
  }
});
