package dev.labelbeam.trainer.distributed;

import java.util.Map;

/**
 * Where one worker of a data-parallel run stands, from the environment variables {@code torchrun}
 * sets: {@code RANK}, {@code WORLD_SIZE}, {@code LOCAL_RANK}, {@code MASTER_ADDR},
 * {@code MASTER_PORT}. A cluster scheduler that sets them launches our workers as it launches
 * PyTorch's.
 */
public final class WorkerEnv {
  public final int rank;
  public final int worldSize;
  public final int localRank;
  public final String masterAddr;
  public final int masterPort;

  public WorkerEnv(int rank, int worldSize, int localRank, String masterAddr, int masterPort) {
    if (worldSize < 1 || rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("RANK must be in [0, WORLD_SIZE), were RANK=" + rank + " WORLD_SIZE=" + worldSize);
    }
    if (localRank < 0) {
      throw new IllegalArgumentException("LOCAL_RANK must be >= 0, was " + localRank);
    }
    if (masterPort < 1 || masterPort > 65535) {
      throw new IllegalArgumentException("MASTER_PORT must be in [1, 65535], was " + masterPort);
    }
    this.rank = rank;
    this.worldSize = worldSize;
    this.localRank = localRank;
    this.masterAddr = masterAddr;
    this.masterPort = masterPort;
  }

  /** A single worker: rank 0 of 1. */
  public static WorkerEnv single() {
    return new WorkerEnv(0, 1, 0, "127.0.0.1", 29500);
  }

  /** True when the environment describes a data-parallel worker ({@code WORLD_SIZE} and {@code RANK} set). */
  public static boolean present(Map<String, String> env) {
    return env.containsKey("WORLD_SIZE") && env.containsKey("RANK");
  }

  /**
   * Reads the variables.
   *
   * @throws IllegalArgumentException naming the variable that is missing or malformed
   */
  public static WorkerEnv fromEnv(Map<String, String> env) {
    int world = number(env, "WORLD_SIZE", null);
    int rank = number(env, "RANK", null);
    int local = number(env, "LOCAL_RANK", rank);
    String addr = env.getOrDefault("MASTER_ADDR", "127.0.0.1");
    int port = number(env, "MASTER_PORT", 29500);
    return new WorkerEnv(rank, world, local, addr, port);
  }

  private static int number(Map<String, String> env, String name, Integer fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      if (fallback == null) {
        throw new IllegalArgumentException("environment variable " + name + " is not set");
      }
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("environment variable " + name + " must be an integer, was '" + v + "'");
    }
  }

  public boolean distributed() {
    return worldSize > 1;
  }

  @Override
  public String toString() {
    return "rank " + rank + "/" + worldSize + " (local " + localRank + ") via " + masterAddr + ":" + masterPort;
  }
}
