import DQMon
