# A first module: a directory, a file in it, and a task that derives a second file from the first.
# Everything lands under ./hello-out, relative to where converge runs, so any scratch directory will do:
#   converge plan --local examples/hello.hcl
#   converge apply --local -p name=you examples/hello.hcl

param "name" {
  default = "World"
}

file.directory "out" {
  destination = "hello-out"
}

file.content "greeting" {
  destination = "hello-out/greeting.txt"
  content     = "Hello, {{param `name`}}!\n"
  depends     = ["file.directory.out"]
}

task "shout" {
  check   = "test -f hello-out/shout.txt && [ \"$(cat hello-out/shout.txt)\" = \"$(tr a-z A-Z < hello-out/greeting.txt)\" ]"
  apply   = "tr a-z A-Z < hello-out/greeting.txt > hello-out/shout.txt"
  depends = ["file.content.greeting"]
}
