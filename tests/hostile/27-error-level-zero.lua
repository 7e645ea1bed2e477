-- hostile: error(msg, 0) carries no position: the runner must still name the file
error("no position in this message", 0)
