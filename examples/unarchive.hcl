# Unpacks an archive into a directory. The task builds a small tar.gz first so that the module runs
# anywhere; zip, tar and tar.bz2 archives work the same way (the format is read from the content).
# A second apply changes nothing: every entry is already in place. Run it in a scratch directory:
#   converge apply --local examples/unarchive.hcl

file.directory "out" {
  destination = "unarchive-out"
}

task "make-archive" {
  check   = "test -f unarchive-out/site.tar.gz"
  apply   = "mkdir -p unarchive-out/src/site && echo '<h1>hi</h1>' > unarchive-out/src/site/index.html && tar -czf unarchive-out/site.tar.gz -C unarchive-out/src site"
  depends = ["file.directory.out"]
}

file.directory "www" {
  destination = "unarchive-out/www"
  create_all  = true
}

unarchive "site" {
  source      = "unarchive-out/site.tar.gz"
  destination = "{{lookup `file.directory.www.destination`}}"
  depends     = ["task.make-archive"]
}
