module converge.test/strconvoracle

go 1.19
