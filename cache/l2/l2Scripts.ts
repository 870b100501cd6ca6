/**
 * The Lua scripts L2 runs in Redis: each is one atomic step, so a write can never land in
 * a generation that an invalidation has already replaced, and an invalidation and its
 * broadcast happen together. Times come from Redis's own clock (TIME), so replicas whose
 * clocks disagree still agree on which index entries have expired.
 *
 * A generation is a random id (not a counter): if Redis loses the generation key (eviction,
 * restart), the next reader creates a new id, and no key written before can be read again.
 * Index values are `<expiresAt ms>|<entry JSON>`.
 */

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS: generation. ARGV: new id if none, namespace base, generation ttl, the `gen/version`
 * of the index the caller holds. → {gen, now, version, flat index}; the index only when its version (bumped
 * by every change to it) differs from the caller's, so a repeated miss moves a few bytes.
 */
export const LOOKUP = `
local gen = redis.call('GET', KEYS[1])
if not gen then
  gen = ARGV[1]
  redis.call('SET', KEYS[1], gen, 'PX', ARGV[3])
end
${NOW}
local version = redis.call('GET', ARGV[2] .. gen .. ':v') or '0'
if gen .. '/' .. version == ARGV[4] then return {gen, string.format('%d', now), version} end
return {gen, string.format('%d', now), version, redis.call('HGETALL', ARGV[2] .. gen .. ':i')}
`;

/**
 * KEYS: generation, core, index, index version. ARGV: expected generation, bytes, ttl ms, field, entry JSON,
 * max index entries, generation ttl. → 1 stored, 0 the generation changed, -1 index full.
 * Expired index entries are pruned once the index holds 32 or more.
 */
export const WRITE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
${NOW}
local ttl = tonumber(ARGV[3])
if redis.call('HLEN', KEYS[3]) >= 32 then
  local all = redis.call('HGETALL', KEYS[3])
  for i = 1, #all, 2 do
    local expires = tonumber(string.match(all[i + 1], '^(%d+)|'))
    if expires == nil or expires <= now then redis.call('HDEL', KEYS[3], all[i]) end
  end
  if redis.call('HEXISTS', KEYS[3], ARGV[4]) == 0 and redis.call('HLEN', KEYS[3]) >= tonumber(ARGV[6]) then return -1 end
end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ttl)
redis.call('HSET', KEYS[3], ARGV[4], string.format('%d', now + ttl) .. '|' .. ARGV[5])
if redis.call('PTTL', KEYS[3]) < ttl then redis.call('PEXPIRE', KEYS[3], ttl) end
redis.call('INCR', KEYS[4])
redis.call('PEXPIRE', KEYS[4], ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
return 1
`;

/**
 * KEYS: generation, refreshKey value. ARGV: new generation, namespace base, channel,
 * message, generation ttl, refreshKey value ('' for a plain invalidation). Replaces the
 * generation, unlinks the old one's cores and index, and publishes the message. With a
 * refreshKey value, does nothing (→ 0) when another replica already recorded that value.
 */
export const INVALIDATE = `
if ARGV[6] ~= '' then
  if redis.call('GET', KEYS[2]) == ARGV[6] then return 0 end
  redis.call('SET', KEYS[2], ARGV[6], 'PX', ARGV[5])
end
local old = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[5])
if old then
  local index = ARGV[2] .. old .. ':i'
  local fields = redis.call('HKEYS', index)
  for i = 1, #fields do redis.call('UNLINK', ARGV[2] .. old .. ':c:' .. fields[i]) end
  redis.call('UNLINK', index, ARGV[2] .. old .. ':v')
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`;

/** KEYS: lock. ARGV: token. Deletes the lock only if this token still holds it. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** KEYS: lock. ARGV: token, ttl ms. Renews the lock only if this token still holds it. */
export const EXTEND = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

export const SCRIPTS = {
  l2Lookup: { numberOfKeys: 1, lua: LOOKUP },
  l2Write: { numberOfKeys: 4, lua: WRITE },
  l2Invalidate: { numberOfKeys: 2, lua: INVALIDATE },
  l2Release: { numberOfKeys: 1, lua: RELEASE },
  l2Extend: { numberOfKeys: 1, lua: EXTEND },
} as const;

export type ScriptName = keyof typeof SCRIPTS;
