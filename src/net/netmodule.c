/* SPDX-License-Identifier: MIT */
/* The table of the network module (netmodule.h), built into baton-net.so:
 * the real transports behind the program's forwarders. */
#include "baton/net.h"
#include "baton/netmodule.h"

__attribute__ ((visibility ("default"))) const BatonNetModule baton_net_module = {
  .version = BATON_NET_MODULE_VERSION,
  .smtp_sender_new = baton_smtp_sender_new,
  .smtp_send = baton_smtp_send,
  .smtp_sender_free = baton_smtp_sender_free,
  .imap_connect = baton_imap_connect,
  .imap_session_free = baton_imap_session_free,
  .imap_has_capability = baton_imap_has_capability,
  .imap_commands_sent = baton_imap_commands_sent,
  .imap_select = baton_imap_select,
  .imap_fetch_range = baton_imap_fetch_range,
  .imap_list_uids_above = baton_imap_list_uids_above,
  .imap_move = baton_imap_move,
  .imap_idle_wait = baton_imap_idle_wait,
  .imap_idle_interrupt = baton_imap_idle_interrupt,
  .imap_cancel = baton_imap_cancel,
  .net_stop = baton_net_stop,
  .smtp_probe = baton_smtp_probe,
};
