-- secdrive.lua: a Wireshark dissector for secdrive's wire protocol (protocol/PROTOCOL.md).
--
--   tshark -X lua_script:tools/wireshark/secdrive.lua -r capture.pcapng
--   wireshark -X lua_script:tools/wireshark/secdrive.lua capture.pcapng
--   (or copy it to ~/.local/lib/wireshark/plugins/)
--
-- secdrive's own captures (serve --capture) hold secdrive frames one per packet, LINKTYPE_USER0:
-- a TCP connection's frames, and a serial port's link-layer messages; and a serial line's link
-- frames as they crossed it, LINKTYPE_USER1. Each command frame's CDB and data-out, and each
-- status frame's status, sense and data-in, are handed to Wireshark's own SCSI dissector, through
-- its iSCSI dissector: the frame is shown with the iSCSI PDU that carries the same command, so
-- READ(10), INQUIRY data or sense read as they do in an iSCSI or USB capture, and each status is
-- matched to its command.
--
-- A capture of the TCP stream itself (tcpdump on port 7140; other ports by Decode As, or
-- tshark -d tcp.port==PORT,secdrive) is read too, frames reassembled across segments, but not
-- handed to the SCSI dissector: the iSCSI dissector would take TCP's reassembly over.

local secdrive = Proto("secdrive", "secdrive frame")
local link = Proto("secdrive_link", "secdrive serial link frame")

local kinds = { SDCW = "command", SDSW = "status", SDER = "protocol error" }
local statuses = {
  [0x00] = "GOOD", [0x02] = "CHECK CONDITION", [0x04] = "CONDITION MET", [0x08] = "BUSY",
  [0x18] = "RESERVATION CONFLICT", [0x28] = "TASK SET FULL", [0x30] = "ACA ACTIVE",
  [0x40] = "TASK ABORTED",
}

local f = secdrive.fields
f.length = ProtoField.uint32("secdrive.length", "Frame length")
f.magic = ProtoField.string("secdrive.magic", "Magic")
f.kind = ProtoField.string("secdrive.kind", "Kind")
f.version = ProtoField.uint8("secdrive.version", "Version")
f.data_in = ProtoField.bool("secdrive.data_in", "Data-in", 8, nil, 0x80)
f.lun = ProtoField.uint8("secdrive.lun", "LUN")
f.cdb_length = ProtoField.uint8("secdrive.cdb_length", "CDB length")
f.tag = ProtoField.uint32("secdrive.tag", "Tag", base.DEC_HEX)
f.expected = ProtoField.uint32("secdrive.expected", "Expected data-in length")
f.out_length = ProtoField.uint32("secdrive.out_length", "Data-out length")
f.cdb = ProtoField.bytes("secdrive.cdb", "CDB")
f.status = ProtoField.uint8("secdrive.status", "Status", base.HEX, statuses)
f.underflow = ProtoField.bool("secdrive.underflow", "Underflow", 8, nil, 0x01)
f.overflow = ProtoField.bool("secdrive.overflow", "Overflow", 8, nil, 0x02)
f.sense_length = ProtoField.uint8("secdrive.sense_length", "Sense length")
f.residual = ProtoField.uint32("secdrive.residual", "Residual")
f.in_length = ProtoField.uint32("secdrive.in_length", "Data-in length")
f.sense = ProtoField.bytes("secdrive.sense", "Sense data")
f.data = ProtoField.bytes("secdrive.data", "Data")
f.message = ProtoField.string("secdrive.message", "Message")

local lf = link.fields
lf.type = ProtoField.uint8("secdrive_link.type", "Type", base.DEC, { [1] = "DATA", [2] = "ACK" })
lf.session = ProtoField.uint32("secdrive_link.session", "Session", base.HEX)
lf.message = ProtoField.uint32("secdrive_link.message", "Message ID")
lf.message_length = ProtoField.uint32("secdrive_link.message_length", "Message length")
lf.chunk = ProtoField.uint16("secdrive_link.chunk", "Chunk index")
lf.bytes = ProtoField.bytes("secdrive_link.bytes", "Chunk bytes")
lf.crc = ProtoField.uint32("secdrive_link.crc", "CRC-32C", base.HEX)
lf.broken = ProtoField.bytes("secdrive_link.broken", "Undecodable block")

local iscsi = Dissector.get("iscsi")

-- Calls the iSCSI dissector on a view of one whole frame: it must not ask TCP for more bytes.
local function scsi(view, name, pinfo, tree)
  if not iscsi then
    return
  end
  local can = pinfo.can_desegment
  pinfo.can_desegment = 0
  iscsi:call(view:tvb(name), pinfo, tree)
  pinfo.can_desegment = can
  pinfo.desegment_len = 0
  pinfo.desegment_offset = 0
end

-- The iSCSI view is only for the SCSI dissector; it takes at most this much of a frame's data.
local VIEW_DATA = 64 * 1024

local function put32(b, at, v)
  b:set_index(at, bit.band(bit.rshift(v, 24), 0xff))
  b:set_index(at + 1, bit.band(bit.rshift(v, 16), 0xff))
  b:set_index(at + 2, bit.band(bit.rshift(v, 8), 0xff))
  b:set_index(at + 3, bit.band(v, 0xff))
end

local function put24(b, at, v)
  b:set_index(at, bit.band(bit.rshift(v, 16), 0xff))
  b:set_index(at + 1, bit.band(bit.rshift(v, 8), 0xff))
  b:set_index(at + 2, bit.band(v, 0xff))
end

local function bhs(opcode, flags)
  local b = ByteArray.new()
  b:set_size(48)
  b:set_index(0, opcode)
  b:set_index(1, flags)
  return b
end

local function padded(b, data)
  local out = b .. data
  local pad = (4 - data:len() % 4) % 4
  if pad > 0 then
    local zeros = ByteArray.new()
    zeros:set_size(pad)
    out = out .. zeros
  end
  return out
end

local function view(tvb, offset, length)
  return tvb:range(offset, math.min(length, VIEW_DATA)):bytes()
end

-- The iSCSI SCSI Command PDU of a command frame (RFC 7143 11.3).
local function command_view(fr)
  local flags = fr(5, 1):uint()
  local cdb_length = fr(7, 1):uint()
  local out_length = fr(16, 4):uint()
  local read = bit.band(flags, 0x80) ~= 0
  local b = bhs(0x01, 0x80 + (read and 0x40 or 0) + (out_length > 0 and 0x20 or 0))
  local data = nil
  if out_length > 0 then
    data = view(fr, 20 + cdb_length, out_length)
    put24(b, 5, data:len())
  end
  b:set_index(9, fr(6, 1):uint())
  put32(b, 16, fr(8, 4):uint())
  put32(b, 20, read and fr(12, 4):uint() or out_length)
  for i = 0, cdb_length - 1 do
    b:set_index(32 + i, fr(20 + i, 1):uint())
  end
  if data then
    b = padded(b, data)
  end
  return b
end

-- The Data-In with status (11.7), or the SCSI Response with sense (11.4), of a status frame.
local function status_view(fr)
  local status = fr(5, 1):uint()
  local flags = fr(6, 1):uint()
  local sense_length = fr(7, 1):uint()
  local residual = fr(12, 4):uint()
  local in_length = fr(16, 4):uint()
  local residual_flags = (bit.band(flags, 1) ~= 0 and 0x02 or 0) + (bit.band(flags, 2) ~= 0 and 0x04 or 0)
  local b
  if in_length > 0 and status == 0 then
    local data = view(fr, 20 + sense_length, in_length)
    b = bhs(0x25, 0x81 + residual_flags)
    b:set_index(3, status)
    put24(b, 5, data:len())
    put32(b, 16, fr(8, 4):uint())
    put32(b, 20, 0xffffffff)
    put32(b, 44, residual)
    return padded(b, data)
  end
  b = bhs(0x21, 0x80 + residual_flags)
  b:set_index(3, status)
  put32(b, 16, fr(8, 4):uint())
  put32(b, 44, residual)
  if sense_length > 0 then
    local segment = ByteArray.new()
    segment:set_size(2)
    segment:set_index(0, 0)
    segment:set_index(1, sense_length)
    segment = segment .. fr(20, sense_length):bytes()
    put24(b, 5, segment:len())
    return padded(b, segment)
  end
  return b
end

-- Dissects one frame (no length prefix) at fr; returns the text for the Info column.
local function frame(fr, pinfo, tree, handoff)
  local t = tree:add(secdrive, fr)
  if fr:len() < 8 then
    t:add_expert_info(PI_MALFORMED, PI_ERROR, "frame shorter than its header")
    return "malformed"
  end
  local magic = fr(0, 4):string()
  local kind = kinds[magic] or "unknown"
  t:add(f.magic, fr(0, 4))
  t:add(f.kind, kind)
  t:add(f.version, fr(4, 1))
  if magic == "SDCW" and fr:len() >= 20 then
    local cdb_length = fr(7, 1):uint()
    t:add(f.data_in, fr(5, 1))
    t:add(f.lun, fr(6, 1))
    t:add(f.cdb_length, fr(7, 1))
    t:add(f.tag, fr(8, 4))
    t:add(f.expected, fr(12, 4))
    t:add(f.out_length, fr(16, 4))
    if fr:len() >= 20 + cdb_length then
      t:add(f.cdb, fr(20, cdb_length))
      local out_length = fr(16, 4):uint()
      if out_length > 0 and fr:len() >= 20 + cdb_length + out_length then
        t:add(f.data, fr(20 + cdb_length, out_length))
      end
      t:set_text("secdrive command, LUN " .. fr(6, 1):uint() .. ", tag " .. fr(8, 4):uint())
      if handoff and fr:len() >= 20 + cdb_length + out_length then
        scsi(command_view(fr), "SCSI command", pinfo, tree)
      end
    end
    return "command tag " .. fr(8, 4):uint()
  elseif magic == "SDSW" and fr:len() >= 20 then
    local sense_length = fr(7, 1):uint()
    local in_length = fr(16, 4):uint()
    t:add(f.status, fr(5, 1))
    t:add(f.underflow, fr(6, 1))
    t:add(f.overflow, fr(6, 1))
    t:add(f.sense_length, fr(7, 1))
    t:add(f.tag, fr(8, 4))
    t:add(f.residual, fr(12, 4))
    t:add(f.in_length, fr(16, 4))
    if sense_length > 0 and fr:len() >= 20 + sense_length then
      t:add(f.sense, fr(20, sense_length))
    end
    if in_length > 0 and fr:len() >= 20 + sense_length + in_length then
      t:add(f.data, fr(20 + sense_length, in_length))
    end
    local status = statuses[fr(5, 1):uint()] or string.format("0x%02x", fr(5, 1):uint())
    t:set_text("secdrive status " .. status .. ", tag " .. fr(8, 4):uint())
    if handoff and fr:len() >= 20 + sense_length + in_length then
      scsi(status_view(fr), "SCSI status", pinfo, tree)
    end
    return "status " .. status .. " tag " .. fr(8, 4):uint()
  elseif magic == "SDER" and fr:len() >= 8 then
    local length = fr(6, 2):uint()
    if fr:len() >= 8 + length then
      t:add(f.message, fr(8, length))
    end
    return "protocol error"
  end
  t:add_expert_info(PI_MALFORMED, PI_ERROR, "not a secdrive frame")
  return "unknown"
end

-- TCP: length-prefixed frames, reassembled across segments.
function secdrive.dissector(tvb, pinfo, tree)
  local offset = 0
  local info = {}
  while offset < tvb:len() do
    if tvb:len() - offset < 4 then
      pinfo.desegment_offset = offset
      pinfo.desegment_len = DESEGMENT_ONE_MORE_SEGMENT
      break
    end
    local length = tvb(offset, 4):uint()
    if tvb:len() - offset - 4 < length then
      pinfo.desegment_offset = offset
      pinfo.desegment_len = offset + 4 + length - tvb:len()
      break
    end
    tree:add(f.length, tvb(offset, 4))
    info[#info + 1] = frame(tvb(offset + 4, length):tvb(), pinfo, tree, false)
    offset = offset + 4 + length
  end
  pinfo.cols.protocol = "secdrive"
  if #info > 0 then
    pinfo.cols.info = table.concat(info, ", ")
  end
  return offset
end

-- One frame per packet, no length prefix (LINKTYPE_USER0): a TCP connection's frames, a serial
-- port's link-layer messages. A packet with no bytes marks a point of the exchange, a fault's.
local message = Proto("secdrive_message", "secdrive frame, one per packet")
function message.dissector(tvb, pinfo, tree)
  pinfo.cols.protocol = "secdrive"
  if tvb:len() == 0 then
    pinfo.cols.info = "(no bytes)"
    return 0
  end
  pinfo.cols.info = frame(tvb, pinfo, tree, true)
  return tvb:len()
end

-- COBS decoding (Cheshire and Baker, 1999) of a block without its delimiter; nil if broken.
local function cobs(block)
  local out = ByteArray.new()
  local i = 0
  local n = block:len()
  while i < n do
    local code = block:get_index(i)
    if code == 0 or i + code > n + 1 then
      return nil
    end
    local run = ByteArray.new()
    run:set_size(code - 1)
    for k = 1, code - 1 do
      if i + k >= n then
        return nil
      end
      run:set_index(k - 1, block:get_index(i + k))
    end
    out = out .. run
    i = i + code
    if code < 0xff and i < n then
      local zero = ByteArray.new()
      zero:set_size(1)
      out = out .. zero
    end
  end
  return out
end

-- A serial line's bytes (LINKTYPE_USER1): COBS frames, each ended by a zero byte.
function link.dissector(tvb, pinfo, tree)
  pinfo.cols.protocol = "secdrive link"
  local start = 0
  local shown = {}
  for i = 0, tvb:len() - 1 do
    if tvb(i, 1):uint() == 0 then
      if i > start then
        local block = tvb(start, i - start)
        local decoded = cobs(block:bytes())
        local t = tree:add(link, tvb(start, i - start + 1))
        if decoded == nil or decoded:len() < 5 then
          t:add(lf.broken, block)
          shown[#shown + 1] = "broken"
        else
          local d = decoded:tvb("link payload")
          local kind = d(0, 1):uint()
          t:add(lf.type, d(0, 1))
          if d:len() >= 9 then
            t:add(lf.session, d(1, 4))
            t:add(lf.message, d(5, 4))
          end
          if kind == 1 and d:len() >= 19 then
            t:add(lf.message_length, d(9, 4))
            t:add(lf.chunk, d(13, 2))
            t:add(lf.bytes, d(15, d:len() - 19))
            shown[#shown + 1] = "DATA " .. d(5, 4):uint() .. "." .. d(13, 2):uint()
          elseif kind == 2 and d:len() >= 15 then
            t:add(lf.chunk, d(9, 2))
            shown[#shown + 1] = "ACK " .. d(5, 4):uint() .. "." .. d(9, 2):uint()
          end
          t:add(lf.crc, d(d:len() - 4, 4))
        end
      end
      start = i + 1
    end
  end
  pinfo.cols.info = table.concat(shown, ", ")
  return tvb:len()
end

DissectorTable.get("tcp.port"):add(7140, secdrive)
local encap = DissectorTable.get("wtap_encap")
encap:add(wtap_encaps.USER0, message)
encap:add(wtap_encaps.USER1, link)
