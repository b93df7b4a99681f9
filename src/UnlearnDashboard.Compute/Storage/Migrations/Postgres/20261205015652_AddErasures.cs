using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace UnlearnDashboard.Compute.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AddErasures : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "erasures",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    JobId = table.Column<string>(type: "text", nullable: false),
                    DatasetId = table.Column<string>(type: "text", nullable: false),
                    BaseVersionId = table.Column<string>(type: "text", nullable: false),
                    NewVersionId = table.Column<string>(type: "text", nullable: false),
                    RequestedBy = table.Column<string>(type: "text", nullable: false),
                    IssuedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Certificate = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_erasures", x => x.Id);
                    table.ForeignKey(
                        name: "FK_erasures_datasets_DatasetId",
                        column: x => x.DatasetId,
                        principalTable: "datasets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_erasures_DatasetId",
                table: "erasures",
                column: "DatasetId");

            migrationBuilder.CreateIndex(
                name: "IX_erasures_JobId",
                table: "erasures",
                column: "JobId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "erasures");
        }
    }
}
