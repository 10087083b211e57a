import type { Redis } from 'ioredis';

/**
 * Every Lua script of the shared store, defined once as ioredis commands (EVALSHA, and EVAL when
 * a restarted Redis has forgotten the script). Each runs atomically on Redis and reads Redis's
 * own clock (`TIME`), so instances whose clocks differ still agree.
 */

/** Redis's clock in milliseconds, with the fraction. */
const NOW_MS = `local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000`;

/**
 * The leaky bucket of src/bitrix24/limits/leaky-bucket.ts, shared, as reservations (GCRA-style):
 * KEYS[1] the bucket (hash of level `l` and time `t`); ARGV burst, rps, margin ms, key TTL ms.
 * Always books one slot, at the earliest time the bucket allows, and answers the milliseconds
 * until then (0: now). The level counts booked requests from the moment they are booked: as it
 * drains linearly, it stands where the portal's counter will once each booked request is sent,
 * never below. A missing key is an empty bucket.
 */
const BUCKET_RESERVE = `${NOW_MS}
local burst, rps, margin = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'l', 't')
local level = tonumber(state[1]) or 0
local at = tonumber(state[2]) or now
level = math.max(0, level - math.max(0, now - at) / 1000 * rps)
local excess = level + 1 + rps * margin / 1000 - burst
local wait = 0
if excess > 0 then wait = math.ceil(excess / rps * 1000) end
redis.call('HSET', KEYS[1], 'l', tostring(level + 1), 't', tostring(now))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) + wait)
return wait`;

/** The portal said its counter is full (503): KEYS[1] the bucket; ARGV burst, rps, key TTL ms. */
const BUCKET_FILL = `${NOW_MS}
local burst, rps = tonumber(ARGV[1]), tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'l', 't')
local level = tonumber(state[1]) or 0
local at = tonumber(state[2]) or now
level = math.max(0, level - math.max(0, now - at) / 1000 * rps)
redis.call('HSET', KEYS[1], 'l', tostring(math.max(level, burst)), 't', tostring(now))
-- Booked requests may keep the level above the burst for longer than the usual TTL.
if tonumber(ARGV[3]) > redis.call('PTTL', KEYS[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1`;

/**
 * A method's operating budget ran out: KEYS[1] the portal's blocks (hash method -> until ms);
 * ARGV method, until ms, channel. Keeps the later time and tells every instance.
 */
const BUDGET_BLOCK = `${NOW_MS}
local blocked = tonumber(ARGV[2])
local known = tonumber(redis.call('HGET', KEYS[1], ARGV[1])) or 0
if blocked <= known then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local ttl = math.ceil(blocked - now)
if ttl > redis.call('PTTL', KEYS[1]) then redis.call('PEXPIRE', KEYS[1], math.max(ttl, 1)) end
redis.call('PUBLISH', ARGV[3], ARGV[1] .. '\\n' .. ARGV[2])
return 1`;

/**
 * Compare-and-set of a token pair: KEYS[1] the pair (hash of sealed `data` and the keyed
 * fingerprint `fp` of its refresh token); ARGV expected fingerprint ('' = nothing stored),
 * new fingerprint, new data. Writes only while the stored refresh token is the one spent.
 */
const TOKENS_CAS = `local fp = redis.call('HGET', KEYS[1], 'fp') or ''
if fp ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'fp', ARGV[2], 'data', ARGV[3])
return 1`;

/** Releases a lock only if it is still ours: KEYS[1] the lock; ARGV our lock token. */
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Extends a lock only if it is still ours: KEYS[1] the lock; ARGV our lock token, TTL ms. */
const EXTEND_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/**
 * Heartbeat bookkeeping shared by the lease scripts: KEYS[1] this instance's leases (zset
 * resource -> expiry), KEYS[2] live instances (zset -> expiry), KEYS[3] known resources (zset ->
 * expiry); ARGV[1] instance, ARGV[2] lease ms. Sets \`cap\`: the fair share, ceil(resources / live).
 */
const LEASE_COMMON = `${NOW_MS}
now = math.floor(now)
local me, ms = ARGV[1], tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], now + ms, me)
redis.call('PEXPIRE', KEYS[2], ms * 10)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local function seen(resource)
  redis.call('ZADD', KEYS[3], now + ms * 10, resource)
  redis.call('PEXPIRE', KEYS[3], ms * 10)
end
local function hold(key, resource)
  redis.call('SET', key, me, 'PX', ms)
  redis.call('ZADD', KEYS[1], now + ms, resource)
  redis.call('PEXPIRE', KEYS[1], ms * 2)
end
local function cap()
  return math.ceil(redis.call('ZCARD', KEYS[3]) / math.max(1, redis.call('ZCARD', KEYS[2])))
end`;

/**
 * Takes a free lease while this instance holds fewer than its fair share, or renews its own:
 * KEYS[1..3] as LEASE_COMMON, KEYS[4] the lease; ARGV[3] the resource. Answers 1 when held,
 * 0 when another instance holds it, -1 when it is free but this instance has its share.
 */
const LEASE_ACQUIRE = `${LEASE_COMMON}
seen(ARGV[3])
local owner = redis.call('GET', KEYS[4])
if owner == me then hold(KEYS[4], ARGV[3]) return 1 end
if owner then return 0 end
if redis.call('ZCARD', KEYS[1]) >= cap() then return -1 end
hold(KEYS[4], ARGV[3])
return 1`;

/**
 * The heartbeat: renews this instance's leases, KEYS[4..] with their resources in ARGV[3..], in
 * that order, up to the fair share; gives up the rest (another instance joined) and those taken
 * over. A lease that vanished (expired, or Redis restarted empty) is taken again. ARGV after the
 * held resources name the others this instance would take: counted in the fair share from the
 * first heartbeat on. Answers the resources still held.
 */
const LEASE_RENEW = `${LEASE_COMMON}
for i = 3, #ARGV do seen(ARGV[i]) end
local limit = cap()
local kept = {}
for i = 4, #KEYS do
  local resource = ARGV[i - 1]
  local owner = redis.call('GET', KEYS[i])
  if owner == me or not owner then
    if #kept < limit then
      hold(KEYS[i], resource)
      kept[#kept + 1] = resource
    else
      if owner == me then redis.call('DEL', KEYS[i]) end
      redis.call('ZREM', KEYS[1], resource)
    end
  else
    redis.call('ZREM', KEYS[1], resource)
  end
end
return kept`;

/** Gives a lease up: KEYS[1] this instance's leases, KEYS[2] the lease; ARGV instance, resource. */
const LEASE_RELEASE = `redis.call('ZREM', KEYS[1], ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[1] then return redis.call('DEL', KEYS[2]) end
return 0`;

/** The live instances: KEYS[1] instances (zset -> expiry). */
const LIVE_INSTANCES = `${NOW_MS}
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. math.floor(now), '+inf')`;

const SCRIPTS = {
    b24BucketReserve: { numberOfKeys: 1, lua: BUCKET_RESERVE },
    b24BucketFill: { numberOfKeys: 1, lua: BUCKET_FILL },
    b24BudgetBlock: { numberOfKeys: 1, lua: BUDGET_BLOCK },
    b24TokensCas: { numberOfKeys: 1, lua: TOKENS_CAS },
    b24Unlock: { numberOfKeys: 1, lua: UNLOCK },
    b24ExtendLock: { numberOfKeys: 1, lua: EXTEND_LOCK },
    b24LeaseAcquire: { numberOfKeys: 4, lua: LEASE_ACQUIRE },
    b24LeaseRelease: { numberOfKeys: 2, lua: LEASE_RELEASE },
    b24LiveInstances: { numberOfKeys: 1, lua: LIVE_INSTANCES },
} as const;

type Arg = string | number;

/** The connection with the scripts as commands. */
export interface ScriptedRedis extends Redis {
    b24BucketReserve(bucket: string, burst: Arg, rps: Arg, marginMs: Arg, ttlMs: Arg): Promise<number>;
    b24BucketFill(bucket: string, burst: Arg, rps: Arg, ttlMs: Arg): Promise<number>;
    b24BudgetBlock(blocks: string, method: string, untilMs: Arg, channel: string): Promise<number>;
    b24TokensCas(pair: string, expectedFp: string, newFp: string, data: string): Promise<number>;
    b24Unlock(lock: string, token: string): Promise<number>;
    b24ExtendLock(lock: string, token: string, ttlMs: Arg): Promise<number>;
    b24LeaseAcquire(
        mine: string,
        instances: string,
        resources: string,
        lease: string,
        instance: string,
        leaseMs: Arg,
        resource: string,
    ): Promise<number>;
    /** KEYS: mine, instances, resources, then one lease key per resource; ARGV: instance, lease ms, resources. */
    b24LeaseRenew(numberOfKeys: number, ...keysAndArgs: Arg[]): Promise<string[]>;
    b24LeaseRelease(mine: string, lease: string, instance: string, resource: string): Promise<number>;
    b24LiveInstances(instances: string): Promise<string[]>;
}

/** Adds the scripts to a connection. */
export function defineScripts(redis: Redis): ScriptedRedis {
    for (const [name, definition] of Object.entries(SCRIPTS)) redis.defineCommand(name, definition);
    // The renew script takes a variable number of keys: given with each call.
    redis.defineCommand('b24LeaseRenew', { lua: LEASE_RENEW });
    return redis as ScriptedRedis;
}
