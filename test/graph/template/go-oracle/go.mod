module converge.test/gooracle

go 1.19
