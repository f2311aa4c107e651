package dcerpc

// InterfaceName names the well-known RPC interfaces an endpoint mapper
// lists, or returns "" for others. The UUIDs come from the interface
// definitions of the [MS-*] protocol specifications named beside each
// (each spec's appendix A, "Full IDL", or its section 1.9), from C706, and
// from Samba's IDL for its own interfaces; the names are the IDL's
// interface names, which are also the pipe names and the annotations Samba
// registers.
func InterfaceName(u UUID) string {
	switch u.String() {
	case "e1af8308-5d1f-11c9-91a4-08002b14a0fa": // C706 appendix L, endpoint mapper
		return "epmapper"
	case "afa8bd80-7d8a-11c9-bef4-08002b102989": // C706 and [MS-RPCE]: the remote management interface
		return "mgmt"
	case "e33c0cc4-0482-101a-bc0c-02608c6ba218": // [MS-RPCL] RPC location services
		return "locator"
	case "12345778-1234-abcd-ef00-0123456789ab": // [MS-LSAD] / [MS-LSAT]
		return "lsarpc"
	case "12345778-1234-abcd-ef00-0123456789ac": // [MS-SAMR]
		return "samr"
	case "12345678-1234-abcd-ef00-01234567cffb": // [MS-NRPC]
		return "netlogon"
	case "e3514235-4b06-11d1-ab04-00c04fc2dcd2": // [MS-DRSR] drsuapi
		return "drsuapi"
	case "7c44d7d4-31d5-424c-bd5e-2b3e1f323d22": // [MS-DRSR] dsaop
		return "dsaop"
	case "3919286a-b10c-11d0-9ba8-00c04fd92ef5": // [MS-DSSP]
		return "dssetup"
	case "3dde7c30-165d-11d1-ab8f-00805f14db40": // [MS-BKRP]
		return "backupkey"
	case "b9785960-524f-11df-8b6d-83dcded72085": // [MS-GKDI] ISDKey
		return "gkdi"
	case "afc07e2e-311c-4435-808c-c483ffeec7c9": // [MS-CAPR]
		return "lsacap"
	case "0b1c2170-5732-4e0e-8cd3-d9b16f3b84d7": // [MS-RAA]
		return "authzr"
	case "50abc2a4-574d-40b3-9d66-ee4fd5fba076": // [MS-DNSP]
		return "dnsserver"
	case "12345678-1234-abcd-ef00-0123456789ab": // [MS-RPRN]
		return "spoolss"
	case "76f03f96-cdfd-44fc-a22c-64950a001209": // [MS-PAR]
		return "IRemoteWinspool"
	case "ae33069b-a2a8-46ee-a235-ddfd339be281": // [MS-PAN]
		return "IRPCAsyncNotify"
	case "0b6edbfa-4a24-4fc6-8a23-942b1eca65d1": // [MS-PAN]
		return "IRPCRemoteObject"
	case "4b324fc8-1670-01d3-1278-5a47bf6ee188": // [MS-SRVS]
		return "srvsvc"
	case "6bffd098-a112-3610-9833-46c3f87e345a": // [MS-WKST]
		return "wkssvc"
	case "6bffd098-a112-3610-9833-012892020162": // [MS-BRWSA]
		return "browser"
	case "338cd001-2244-31f1-aaaa-900038001003": // [MS-RRP]
		return "winreg"
	case "82273fdc-e32a-18c3-3f78-827929dc23ea": // [MS-EVEN]
		return "eventlog"
	case "f6beaff7-1e19-4fbb-9f8f-b89e2018337c": // [MS-EVEN6]
		return "eventlog6"
	case "367abb81-9844-35f1-ad32-98f038001003": // [MS-SCMR]
		return "svcctl"
	case "1ff70682-0a51-30e8-076d-740be8cee98b": // [MS-TSCH] ATSvc
		return "atsvc"
	case "378e52b0-c0a9-11cf-822d-00aa0051e40f": // [MS-TSCH] SASec
		return "sasec"
	case "86d35949-83c9-4044-b424-db363231fd0c": // [MS-TSCH]
		return "ITaskSchedulerService"
	case "894de0c0-0d55-11d3-a322-00c04fa321a1": // [MS-RSP]
		return "InitShutdown"
	case "d95afe70-a6d5-4259-822e-2c84da1ddb0d": // [MS-RSP]
		return "WindowsShutdown"
	case "f5cc59b4-4264-101a-8c59-08002b2f8426": // [MS-FRS1] FRS
		return "frsrpc"
	case "d049b186-814f-11d1-9a3c-00c04fc9b232": // [MS-FRS1] FRS
		return "NtFrsApi"
	case "897e2e5f-93f3-4376-9c9c-fd2277495c27": // [MS-FRS2] DFS-R
		return "frstrans"
	case "4fc742e0-4a10-11cf-8273-00aa004ae673": // [MS-DFSNM]
		return "netdfs"
	case "c681d488-d850-11d0-8c52-00c04fd90f7e": // [MS-EFSR] via lsarpc
		return "efsrpc"
	case "df1941c5-fe89-4e79-bf10-463657acf44d": // [MS-EFSR]
		return "efsrpc"
	case "8fb6d884-2388-11d0-8c35-00c04fda2795": // [MS-W32T]
		return "w32time"
	case "91ae6020-9e3c-11cf-8d7c-00aa00c091be": // [MS-ICPR]
		return "ICertPassage"
	case "5b821720-f63b-11d0-aad2-00c04fc324db": // [MS-DHCPM]
		return "dhcpsrv2"
	case "6bffd098-a112-3610-9833-46c3f874532d": // [MS-DHCPM]
		return "dhcpsrv"
	case "45f52c28-7f9f-101a-b52b-08002b2efabe": // [MS-RAIW]
		return "winsif"
	case "811109bf-a4e1-11d1-ab54-00a0c91e9b45": // [MS-RAIW]
		return "winsi2"
	case "17fdd703-1827-4e34-79d4-24a55c53bb37": // [MS-MSRP]
		return "msgsvc"
	case "5a7b91f8-ff00-11d0-a9b2-00c04fb6e6fc": // [MS-MSRP]
		return "msgsvcsend"
	case "300f3532-38cc-11d0-a3f0-0020af6b0add": // [MS-DLTW]
		return "trkwks"
	case "4da1c422-943d-11d1-acae-00c04fc2aa3f": // [MS-DLTM]
		return "trksvr"
	case "f5cc5a18-4264-101a-8c59-08002b2f8426": // [MS-NSPI]
		return "nspi"
	case "1544f5e0-613c-11d1-93df-00c04fd7bd09": // [MS-OXABREF]
		return "rfr"
	case "a4f1db00-ca47-1067-b31f-00dd010662da": // [MS-OXCRPC]
		return "emsmdb"
	case "5261574a-4572-206e-b268-6b199213b4e4": // [MS-OXCRPC]
		return "AsyncEMSMDB"
	case "44e265dd-7daf-42cd-8560-3cdb6e7a2729": // [MS-TSGU]
		return "TsProxyRpcInterface"
	case "5ca4a760-ebb1-11cf-8611-00a0245420ed": // [MS-TSTS]
		return "TermSrv"
	case "ccd8c074-d0e5-4a40-92b4-d074faa6ba28": // [MS-SWN]
		return "witness"
	case "a8e0653c-2744-4389-a61d-7373df8b2292": // [MS-FSRVP]
		return "FileServerVssAgent"
	case "6b5bdd1e-528c-422c-af8c-a4079be4fe48": // [MS-FASP]
		return "RemoteFW"
	case "da5a86c5-12c2-4943-ab30-7f74a813d853": // [MS-PCQ]
		return "PerflibV2"
	case "22e5386d-8b12-4bf0-b0ec-6a1ea419e366": // [MS-LREC]
		return "NetEventForwarder"
	case "1a927394-352e-4553-ae3f-7cf4aafca620": // [MS-WDSC]
		return "WdsRpcInterface"
	case "e3d0d746-d2af-40fd-8a7a-0d7078bb7092": // [MS-BPAU]
		return "BitsPeerAuth"
	case "b97db8b2-4c63-11cf-bff6-08002be23f2f": // [MS-CMRP]
		return "clusapi"
	case "906b0ce0-c70b-1067-b317-00dd010662da": // [MS-CMPO] MSDTC
		return "IXnRemote"
	case "fdb3a030-065f-11d1-bb9b-00a024ea5525": // [MS-MQMP] MSMQ
		return "qmcomm"
	case "76d12b80-3467-11d3-91ff-0090272f9ea3": // [MS-MQMP] MSMQ
		return "qmcomm2"
	case "1088a980-eae5-11d0-8d9b-00a02453c337": // [MS-MQQP] MSMQ
		return "qm2qm"
	case "41208ee0-e970-11d1-9b9e-00e02c064c39": // [MS-MQMR] MSMQ
		return "qmmgmt"
	case "1a9134dd-7b39-45ba-ad88-44d01ca47f28": // [MS-MQRR] MSMQ
		return "RemoteRead"
	case "77df7a80-f298-11d0-8358-00a024c480a8": // [MS-MQDS] MSMQ
		return "dscomm"
	case "708cca10-9569-11d1-b2a5-0060977d8118": // [MS-MQDS] MSMQ
		return "dscomm2"
	case "2f5f6520-ca46-1067-b319-00dd010662da": // [MS-TRP]
		return "tapsrv"
	case "2f5f6521-ca47-1068-b319-00dd010662db": // [MS-TRP]
		return "remotesp"
	case "82ad4280-036b-11cf-972c-00aa006887b0": // [MS-IRP]
		return "inetinfo"
	case "4d9f4ab8-7d1c-11cf-861e-0020af6e7c57": // [MS-DCOM]
		return "IActivation"
	case "000001a0-0000-0000-c000-000000000046": // [MS-DCOM]
		return "IRemoteSCMActivator"
	case "99fcfec4-5260-101b-bbcb-00aa0021347a": // [MS-DCOM]
		return "IObjectExporter"
	case "9c54e310-a955-4885-bd31-78787147dfa6": // Samba unixinfo.idl
		return "unixinfo"
	case "60a15ec5-4de8-11d7-a637-005056a20182": // Samba echo.idl
		return "rpcecho"
	}
	return ""
}
