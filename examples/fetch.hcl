# Fetches a file and checks its sha256. This one copies a local file (a file source), so it runs
# offline; an http or https URL works the same way:
#   source = "https://deb.debian.org/debian/README"   (then give that file's hash, or no hash at all)
# Run it in a scratch directory:
#   converge apply --local examples/fetch.hcl

file.directory "out" {
  destination = "fetch-out"
}

file.content "source" {
  destination = "fetch-out/source.txt"
  content     = "hello from converge\n"
  depends     = ["file.directory.out"]
}

file.fetch "copy" {
  source      = "fetch-out/source.txt"
  destination = "fetch-out/fetched.txt"
  hash_type   = "sha256"
  hash        = "298febb9f9f2ea6a856c6feca5eaaf376bd48b0a60fff7e58c1c1a35006b6d72"
  depends     = ["file.content.source"]
}

file.content "receipt" {
  destination = "fetch-out/receipt.txt"
  content     = "{{lookup `file.fetch.copy.destination`}} has {{lookup `file.fetch.copy.hash_type`}} {{lookup `file.fetch.copy.hash`}}\n"
}
