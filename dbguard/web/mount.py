"""Where the monitor routes live in the team's app: the plan's `/tools/monitor/*`."""

MOUNT_PATH = "/tools/monitor"
