/*! Cachet 0.1.0 | MIT | consent widget with signed receipts */
import{defineElement as e}from"./cachet.mjs";e();
