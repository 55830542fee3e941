	set -e
	echo start
