# A group with a fixed gid; a later run renames it by passing `rename` (the case branch sets new_name,
# and a plan after the rename shows no change). Needs root.
#   converge apply --local examples/group.hcl
#   converge apply --local -p rename=converge-operators examples/group.hcl

param "rename" {
  default = ""
}

switch "group" {
  case "ne `{{param `rename`}}` ``" "renamed" {
    user.group "ops" {
      name     = "converge-ops"
      new_name = "{{param `rename`}}"
      gid      = 45100
    }

    file.content "gid" {
      destination = "group-out.txt"
      content     = "group {{lookup `user.group.ops.newname`}} has gid {{lookup `user.group.ops.gid`}}\n"
    }
  }

  default {
    user.group "ops" {
      name = "converge-ops"
      gid  = 45100
    }

    file.content "gid" {
      destination = "group-out.txt"
      content     = "group {{lookup `user.group.ops.name`}} has gid {{lookup `user.group.ops.gid`}}\n"
    }
  }
}
